import { Command } from 'commander';
import { DEFAULT_BASE_URL } from './cli-context.js';
import { registerAuthCommands } from './commands/auth-commands.js';
import { registerChatCommand } from './commands/chat-command.js';
import { registerConversationCommands } from './commands/conversation-commands.js';
import { registerHistoryCommands } from './commands/history-commands.js';
import { registerMessageCommands } from './commands/message-commands.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerStatsCommand } from './commands/stats-command.js';

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 the API (or the network) failed the request, 2 usage error,
130 Ctrl-C at a password prompt or in a piped chat.
Server: --base-url, else BAILIAN_CHAT_URL, else ${DEFAULT_BASE_URL}.`;

/**
 * The command tree. exitOverride() makes commander throw instead of exiting, so that run() maps
 * its errors to exit code 2; subcommands made with .command() inherit it and the other settings.
 */
export function buildProgram(): Command {
  const program = new Command('bailian-chat')
    .description('Chat with Qwen models through a bailian-chat server.')
    .version('0.1.0')
    .option('--base-url <url>', 'server URL')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerAuthCommands(program);
  registerConversationCommands(program);
  registerMessageCommands(program);
  registerChatCommand(program);
  registerHistoryCommands(program);
  registerStatsCommand(program);
  registerModelsCommand(program);
  return program;
}
