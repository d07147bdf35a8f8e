import type { Message } from '@bailian-chat/client';
import type { Command } from 'commander';
import { withContext } from '../cli-context.js';
import { messageContent } from '../input/message-content.js';
import { collect, positiveInteger } from '../input/option-parsers.js';
import { addPageOptions, jsonOption } from '../output/command-options.js';
import { contentSummary } from '../output/content-summary.js';
import { formatTime } from '../output/format-time.js';
import { printJson } from '../output/print-json.js';
import { printList } from '../output/print-list.js';
import { withSpinner } from '../output/spinner.js';
import type { Column } from '../output/table.js';

/** Status 2: a streamed reply that was cut off. */
const INCOMPLETE = 2;

const COLUMNS: Column<Message>[] = [
  { header: 'ID', cell: (m) => String(m.message_id), align: 'right' },
  { header: 'ROLE', cell: (m) => (m.status === INCOMPLETE ? `${m.role} (cut off)` : m.role) },
  { header: 'TIME', cell: (m) => formatTime(m.created_at) },
  { header: 'CONTENT', cell: (m) => contentSummary(m.content), flexible: true },
];

interface ListOptions {
  page?: number;
  limit?: number;
  all?: boolean;
  newestFirst?: boolean;
  json?: boolean;
}

interface SendOptions {
  image?: string[];
  video?: string[];
  json?: boolean;
}

export function registerMessageCommands(program: Command): void {
  const messages = program.command('messages').alias('msg').description('read, send and delete messages');

  addPageOptions(
    messages
      .command('list')
      .description("a conversation's messages, oldest first")
      .argument('<conversation>', 'conversation id', positiveInteger)
      .option('--newest-first', 'newest messages first')
      .addOption(jsonOption()),
  ).action(
    withContext(async (context, conversationId: number, options: ListOptions) => {
      const client = await context.client();
      const query = { page: options.page, limit: options.limit, order: options.newestFirst ? ('desc' as const) : undefined };
      await printList(
        options,
        {
          page: () => client.messages.list(conversationId, query),
          itemsOf: (data) => data.messages,
          paginationOf: (data) => data.pagination,
          all: () => client.messages.listAll(conversationId, { ...query, page: undefined }),
          noun: 'message',
        },
        COLUMNS,
      );
    }),
  );

  messages
    .command('send')
    .description('add a message to a conversation (no reply: use `chat` for that)')
    .argument('<conversation>', 'conversation id', positiveInteger)
    .argument('[text...]', 'the text')
    .option('--image <url-or-file>', 'attach an image: a URL, or a local file of up to 10 MB (repeatable)', collect)
    .option('--video <url-or-file>', 'attach a video: a URL, or a local file of up to 10 MB (repeatable)', collect)
    .addOption(jsonOption())
    .action(
      withContext(async (context, conversationId: number, words: string[], options: SendOptions) => {
        const client = await context.client();
        const content = await messageContent({ text: words.join(' '), images: options.image, videos: options.video });
        const message = await withSpinner('Sending…', () => client.messages.send(conversationId, { content }));
        if (options.json) return printJson(message);
        process.stdout.write(`Sent message ${message.message_id} to conversation ${conversationId}.\n`);
      }),
    );

  messages
    .command('delete')
    .description('delete a message')
    .argument('<message>', 'message id', positiveInteger)
    .action(
      withContext(async (context, messageId: number) => {
        const client = await context.client();
        await withSpinner('Deleting…', () => client.messages.delete(messageId));
        process.stdout.write(`Deleted message ${messageId}.\n`);
      }),
    );
}
