import { AuthenticationError, type CurrentUser, type RegisterBody } from '@bailian-chat/client';
import type { Command } from 'commander';
import { withContext } from '../cli-context.js';
import { askPassword } from '../input/ask-password.js';
import { jsonOption } from '../output/command-options.js';
import { formatTime } from '../output/format-time.js';
import { printJson } from '../output/print-json.js';
import { renderFields } from '../output/render-fields.js';
import { withSpinner } from '../output/spinner.js';
import { terminalWidth } from '../output/terminal-width.js';

interface RegisterOptions {
  email: string;
  password?: string;
  nickname?: string;
  phone?: string;
  json?: boolean;
}

function userFields(user: CurrentUser) {
  return renderFields(
    [
      ['id', user.user_id],
      ['username', user.username],
      ['nickname', user.nickname],
      ['email', user.email],
      ['phone', user.phone],
      ['created', formatTime(user.created_at)],
      ['last login', formatTime(user.last_login_at)],
    ],
    terminalWidth(),
  );
}

export function registerAuthCommands(program: Command): void {
  program
    .command('register')
    .description('create an account (then log in with `login`)')
    .argument('<username>', '3-32 letters, digits or _ . -')
    .requiredOption('--email <email>', 'e-mail address')
    .option('--password <password>', 'password (asked for, without echo, when left out)')
    .option('--nickname <name>', 'display name (defaults to the username)')
    .option('--phone <number>', 'phone number')
    .addOption(jsonOption())
    .action(
      withContext(async (context, username: string, options: RegisterOptions) => {
        const password = await askPassword(options.password, { confirm: true });
        const body: RegisterBody = { username, email: options.email, password };
        if (options.nickname) body.nickname = options.nickname;
        if (options.phone) body.phone = options.phone;
        const user = await withSpinner('Registering…', () => context.anonymousClient().auth.register(body));
        if (options.json) return printJson(user);
        process.stdout.write(`Registered ${user.username}. Log in with: bailian-chat login ${user.username}\n`);
      }),
    );

  program
    .command('login')
    .description('log in and keep the tokens in the config directory')
    .argument('<username>', 'username or e-mail')
    .option('--password <password>', 'password (asked for, without echo, when left out)')
    .action(
      withContext(async (context, username: string, options: { password?: string }) => {
        const password = await askPassword(options.password);
        const result = await withSpinner('Logging in…', () => context.anonymousClient().auth.login({ username, password }));
        await context.saveSession({
          username: result.user.username,
          accessToken: result.access_token,
          refreshToken: result.refresh_token,
        });
        process.stdout.write(`Logged in to ${context.baseUrl} as ${result.user.username}.\n`);
      }),
    );

  program
    .command('logout')
    .description('end the session on the server and forget its tokens')
    .action(
      withContext(async (context) => {
        const client = await context.client();
        try {
          await withSpinner('Logging out…', () => client.auth.logout());
        } catch (error) {
          // A session the server no longer knows is as logged out as it gets; on any other failure
          // the tokens are kept, so that the user can try again and really end the session.
          if (!(error instanceof AuthenticationError)) throw error;
        }
        await context.forgetSession();
        process.stdout.write(`Logged out of ${context.baseUrl}.\n`);
      }),
    );

  program
    .command('whoami')
    .description('show the logged-in user')
    .addOption(jsonOption())
    .action(
      withContext(async (context, options: { json?: boolean }) => {
        const client = await context.client();
        const user = await withSpinner('Loading…', () => client.auth.me());
        if (options.json) return printJson(user);
        process.stdout.write(userFields(user));
      }),
    );
}
