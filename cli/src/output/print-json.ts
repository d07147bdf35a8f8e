/** `--json` output: the API's `data`, untouched, for scripts to parse. */
export function printJson(data: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify(data, null, 2) + '\n');
}
