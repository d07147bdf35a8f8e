import { type Command, Option } from 'commander';
import { integerInRange, positiveInteger } from '../input/option-parsers.js';

/** The API's largest page. */
export const MAX_PAGE_SIZE = 100;

/** `--json`, which every command that reads data offers. */
export const jsonOption = () => new Option('--json', 'print the raw data as JSON (for scripts)');

/** Adds `--page`, `--limit` and `--all` to a command that prints a paged list. */
export function addPageOptions(command: Command): Command {
  return command
    .addOption(new Option('--page <n>', 'page number').argParser(positiveInteger))
    .addOption(new Option('--limit <n>', `items per page (1-${MAX_PAGE_SIZE})`).argParser(integerInRange(1, MAX_PAGE_SIZE)))
    .addOption(new Option('--all', 'every page, not just one').conflicts('page'));
}
