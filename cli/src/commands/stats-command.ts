import type { Statistics } from '@bailian-chat/client';
import { type Command, Option } from 'commander';
import { withContext } from '../cli-context.js';
import { isoDate } from '../input/option-parsers.js';
import { renderBarChart } from '../output/bar-chart.js';
import { jsonOption } from '../output/command-options.js';
import { printJson } from '../output/print-json.js';
import { renderFields } from '../output/render-fields.js';
import { withSpinner } from '../output/spinner.js';
import { type Column, renderTable } from '../output/table.js';
import { terminalWidth } from '../output/terminal-width.js';

type ModelRow = Statistics['model_statistics'][number];

const MODEL_COLUMNS: Column<ModelRow>[] = [
  { header: 'MODEL', cell: (m) => m.model_name },
  { header: 'CONVERSATIONS', cell: (m) => String(m.conversation_count), align: 'right' },
  { header: 'MESSAGES', cell: (m) => String(m.message_count), align: 'right' },
  { header: 'TOKENS', cell: (m) => String(m.token_count), align: 'right' },
];

const METRICS = {
  tokens: 'token_count',
  messages: 'message_count',
  conversations: 'conversation_count',
} as const;
type Metric = keyof typeof METRICS;

/** Totals, a table per model, and a bar per day of the chosen metric. */
export function renderStatistics(stats: Statistics, metric: Metric, width: number): string {
  const sections = [
    renderFields(
      [
        ['conversations', stats.total_conversations],
        ['messages', stats.total_messages],
        ['tokens', stats.total_tokens],
      ],
      width,
    ),
  ];
  if (stats.model_statistics.length > 0) sections.push(renderTable(MODEL_COLUMNS, stats.model_statistics, width));
  if (stats.daily_statistics.length > 0) {
    const key = METRICS[metric];
    const bars = stats.daily_statistics.map((day) => ({ label: day.date, value: day[key] }));
    sections.push(`${metric} per day\n${renderBarChart(bars, width)}`);
  }
  return sections.join('\n');
}

interface StatsOptions {
  from?: string;
  to?: string;
  model?: string;
  by: Metric;
  json?: boolean;
}

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('totals, per model and per day')
    .option('--from <date>', 'from this day on (YYYY-MM-DD)', isoDate)
    .option('--to <date>', 'up to and including this day (YYYY-MM-DD)', isoDate)
    .option('--model <name>', 'only this model')
    .addOption(new Option('--by <metric>', 'what the daily chart shows').choices(Object.keys(METRICS)).default('tokens'))
    .addOption(jsonOption())
    .action(
      withContext(async (context, options: StatsOptions) => {
        const client = await context.client();
        const query = { start_date: options.from, end_date: options.to, model_name: options.model };
        const stats = await withSpinner('Loading statistics…', () => client.history.statistics(query));
        if (options.json) return printJson(stats);
        process.stdout.write(renderStatistics(stats, options.by, terminalWidth()));
      }),
    );
}
