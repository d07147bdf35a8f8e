import type { BailianClient } from '@bailian-chat/client';
import type { Command } from 'commander';
import { withContext } from '../cli-context.js';
import { jsonOption } from '../output/command-options.js';
import { printJson } from '../output/print-json.js';
import { withSpinner } from '../output/spinner.js';
import { type Column, renderTable } from '../output/table.js';
import { terminalWidth } from '../output/terminal-width.js';

type ModelInfo = Awaited<ReturnType<BailianClient['models']['list']>>['models'][number];

const COLUMNS: Column<ModelInfo>[] = [
  { header: 'MODEL', cell: (m) => m.model_name },
  { header: 'IMAGES/VIDEO', cell: (m) => (m.vision ? 'yes' : 'no') },
];

export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('the models the server allows (no login needed)')
    .addOption(jsonOption())
    .action(
      withContext(async (context, options: { json?: boolean }) => {
        const list = await withSpinner('Loading models…', () => context.anonymousClient().models.list());
        if (options.json) return printJson(list);
        process.stdout.write(renderTable(COLUMNS, list.models, terminalWidth()));
        if (list.any_model_allowed) process.stdout.write('The server also accepts any other model name.\n');
      }),
    );
}
