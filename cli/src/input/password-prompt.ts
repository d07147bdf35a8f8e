import { createInterface } from 'node:readline';
import { Interrupted } from '../interrupted.js';

const ENTER = new Set(['\r', '\n', '\u0004']);
const BACKSPACE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';

/** Without a terminal (a script piping the password in) the first line of stdin is the answer. */
function readLine(input: NodeJS.ReadStream): Promise<string> {
  const lines = createInterface({ input, terminal: false });
  return new Promise((resolve) => {
    let answer = '';
    lines.once('line', (line) => {
      answer = line;
      lines.close();
    });
    lines.once('close', () => resolve(answer));
  });
}

/**
 * On a terminal: raw mode, so nothing the user types is echoed. The question is shown only once raw
 * mode is on, so not even a key typed the instant the prompt appears is echoed.
 */
function readHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === CTRL_C) return finish(new Interrupted());
        if (ENTER.has(char)) return finish();
        if (BACKSPACE.has(char)) answer = [...answer].slice(0, -1).join('');
        else if (char >= ' ') answer += char;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
    output.write(question);
  });
}

/** Asks for a secret on stderr (stdout stays clean for `--json`) without echoing it. */
export async function promptPassword(
  question: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  if (!input.isTTY) return readLine(input);
  return readHidden(question, input, output);
}
