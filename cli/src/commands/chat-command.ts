import type { BailianClient, Conversation } from '@bailian-chat/client';
import { type Command, Option } from 'commander';
import { ChatSession } from '../chat/chat-session.js';
import { withContext } from '../cli-context.js';
import { integerInRange, positiveInteger } from '../input/option-parsers.js';
import { Interrupted } from '../interrupted.js';
import { MAX_PAGE_SIZE } from '../output/command-options.js';
import { reportError } from '../report-error.js';
import { withSpinner } from '../output/spinner.js';
import { chooseModel } from './choose-model.js';

interface ChatOptions {
  model?: string;
  title?: string;
  context: number;
}

async function openConversation(client: BailianClient, id: number | undefined, options: ChatOptions): Promise<Conversation> {
  if (id !== undefined) return client.conversations.get(id);
  const model_name = await chooseModel(client, options.model);
  return client.conversations.create({ model_name, ...(options.title && { title: options.title }) });
}

const CHAT_HELP = `
On a terminal: Ctrl-C stops the reply being written; Ctrl-C at the prompt, /exit or Ctrl-D quits
(exit 0). With input or output piped, each line is a question and end of input or /exit quits;
Ctrl-C (SIGINT) stops the reply being written and quits without sending the lines left (exit 130).
A failed reply makes the exit code 1; a deleted conversation or an expired login ends the session.`;

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('talk with the model; replies appear as they are written')
    .argument('[conversation]', 'conversation id (default: start a new conversation)', positiveInteger)
    .option('--model <name>', "model of a new conversation (default: the server's first)")
    .option('--title <title>', 'title of a new conversation')
    .addOption(
      new Option('--context <n>', 'how many recent messages go with each question')
        .argParser(integerInRange(1, MAX_PAGE_SIZE))
        .default(20),
    )
    .addHelpText('after', CHAT_HELP)
    .action(
      withContext(async (context, id: number | undefined, options: ChatOptions) => {
        const client = await context.client();
        const conversation = await withSpinner('Opening the conversation…', () => openConversation(client, id, options));
        const report = (error: unknown) => reportError(context.explain(error), context.baseUrl);
        const session = new ChatSession(client, conversation, options.context, report);
        process.stderr.write(
          `Conversation ${conversation.conversation_id} "${conversation.title}" with ${conversation.model_name}. ` +
            (session.terminal ? 'Ctrl-C stops a reply; /exit or Ctrl-D quits.\n' : 'Ctrl-C stops the reply and quits.\n'),
        );
        await session.run();
        // Interrupted first: the script or pipeline around a piped chat must see that it was cut short.
        if (session.interrupted) throw new Interrupted();
        if (session.failures > 0) throw new Error(`${session.failures} repl${session.failures === 1 ? 'y' : 'ies'} failed`);
      }),
    );
}
