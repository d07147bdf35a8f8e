import type { ApiCall } from '@bailian-chat/client';
import type { Command } from 'commander';
import { withContext } from '../cli-context.js';
import { isoDate } from '../input/option-parsers.js';
import { addPageOptions, jsonOption } from '../output/command-options.js';
import { formatTime } from '../output/format-time.js';
import { printList } from '../output/print-list.js';
import type { Column } from '../output/table.js';

const COLUMNS: Column<ApiCall>[] = [
  { header: 'ID', cell: (c) => String(c.id), align: 'right' },
  { header: 'TIME', cell: (c) => formatTime(c.created_at) },
  { header: 'MODEL', cell: (c) => c.model_name },
  { header: 'STATUS', cell: (c) => String(c.status_code), align: 'right' },
  { header: 'TOKENS', cell: (c) => String(c.total_tokens), align: 'right' },
  { header: 'MS', cell: (c) => String(c.call_duration), align: 'right' },
  { header: 'CONV', cell: (c) => (c.conversation_id === null ? '' : String(c.conversation_id)), align: 'right' },
  { header: 'STREAM', cell: (c) => (c.stream ? 'yes' : 'no') },
];

interface CallsOptions {
  page?: number;
  limit?: number;
  all?: boolean;
  model?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export function registerHistoryCommands(program: Command): void {
  const history = program.command('history').description('your usage history');

  addPageOptions(
    history
      .command('calls')
      .description('your calls to the chat API, newest first')
      .option('--model <name>', 'only calls to this model')
      .option('--from <date>', 'from this day on (YYYY-MM-DD)', isoDate)
      .option('--to <date>', 'up to and including this day (YYYY-MM-DD)', isoDate)
      .addOption(jsonOption()),
  ).action(
    withContext(async (context, options: CallsOptions) => {
      const client = await context.client();
      const query = {
        page: options.page,
        limit: options.limit,
        model_name: options.model,
        start_date: options.from,
        end_date: options.to,
      };
      await printList(
        options,
        {
          page: () => client.history.apiCalls(query),
          itemsOf: (data) => data.api_calls,
          paginationOf: (data) => data.pagination,
          all: () => client.history.apiCallsAll({ ...query, page: undefined }),
          noun: 'call',
        },
        COLUMNS,
      );
    }),
  );
}
