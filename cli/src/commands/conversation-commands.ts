import type { Conversation, CreateConversationBody } from '@bailian-chat/client';
import type { Command } from 'commander';
import { withContext } from '../cli-context.js';
import { positiveInteger } from '../input/option-parsers.js';
import { addPageOptions, jsonOption } from '../output/command-options.js';
import { formatTime } from '../output/format-time.js';
import { printJson } from '../output/print-json.js';
import { printList } from '../output/print-list.js';
import { renderFields } from '../output/render-fields.js';
import { withSpinner } from '../output/spinner.js';
import type { Column } from '../output/table.js';
import { terminalWidth } from '../output/terminal-width.js';
import { chooseModel } from './choose-model.js';

const COLUMNS: Column<Conversation>[] = [
  { header: 'ID', cell: (c) => String(c.conversation_id), align: 'right' },
  { header: 'TITLE', cell: (c) => c.title, flexible: true },
  { header: 'MODEL', cell: (c) => c.model_name },
  { header: 'UPDATED', cell: (c) => formatTime(c.updated_at) },
];

/** One conversation: `--json` gives it as the API does, otherwise labelled lines. */
export function printConversation(conversation: Conversation, json: boolean | undefined): void {
  if (json) return printJson(conversation);
  const fields = renderFields(
    [
      ['id', conversation.conversation_id],
      ['title', conversation.title],
      ['model', conversation.model_name],
      ['created', formatTime(conversation.created_at)],
      ['updated', formatTime(conversation.updated_at)],
    ],
    terminalWidth(),
  );
  process.stdout.write(fields);
}

interface ListOptions {
  page?: number;
  limit?: number;
  all?: boolean;
  model?: string;
  json?: boolean;
}

export function registerConversationCommands(program: Command): void {
  const conversations = program.command('conversations').alias('conv').description('list and manage conversations');
  const idArgument = ['<conversation>', 'conversation id', positiveInteger] as const;

  addPageOptions(
    conversations
      .command('list')
      .description('your conversations, most recently updated first')
      .option('--model <name>', 'only conversations with this model')
      .addOption(jsonOption()),
  ).action(
    withContext(async (context, options: ListOptions) => {
      const client = await context.client();
      const query = { page: options.page, limit: options.limit, model_name: options.model };
      await printList(
        options,
        {
          page: () => client.conversations.list(query),
          itemsOf: (data) => data.conversations,
          paginationOf: (data) => data.pagination,
          all: () => client.conversations.listAll({ ...query, page: undefined }),
          noun: 'conversation',
        },
        COLUMNS,
      );
    }),
  );

  conversations
    .command('create')
    .description('start a conversation')
    .argument('[title]', 'title (default 新对话)')
    .option('--model <name>', "model (default: the server's first)")
    .addOption(jsonOption())
    .action(
      withContext(async (context, title: string | undefined, options: { model?: string; json?: boolean }) => {
        const client = await context.client();
        const conversation = await withSpinner('Creating…', async () => {
          const body: CreateConversationBody = { model_name: await chooseModel(client, options.model) };
          if (title !== undefined) body.title = title;
          return client.conversations.create(body);
        });
        printConversation(conversation, options.json);
      }),
    );

  conversations
    .command('show')
    .description('show one conversation')
    .argument(...idArgument)
    .addOption(jsonOption())
    .action(
      withContext(async (context, id: number, options: { json?: boolean }) => {
        const client = await context.client();
        printConversation(await withSpinner('Loading…', () => client.conversations.get(id)), options.json);
      }),
    );

  conversations
    .command('rename')
    .description('change the title of a conversation')
    .argument(...idArgument)
    .argument('<title>', 'new title')
    .addOption(jsonOption())
    .action(
      withContext(async (context, id: number, title: string, options: { json?: boolean }) => {
        const client = await context.client();
        printConversation(await withSpinner('Renaming…', () => client.conversations.update(id, { title })), options.json);
      }),
    );

  conversations
    .command('delete')
    .description('delete a conversation and its messages')
    .argument(...idArgument)
    .action(
      withContext(async (context, id: number) => {
        const client = await context.client();
        await withSpinner('Deleting…', () => client.conversations.delete(id));
        process.stdout.write(`Deleted conversation ${id}.\n`);
      }),
    );
}
