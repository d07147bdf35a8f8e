import type { ChatStream } from '@bailian-chat/client';
import { startSpinner } from '../output/spinner.js';

/**
 * Writes the reply's text as it arrives, then a newline; a spinner (on a terminal) fills the wait
 * for the first words. Whatever ends the stream (its end, an error, an abort), the output is left
 * at the start of a line.
 */
export async function printReply(stream: ChatStream, output: NodeJS.WritableStream): Promise<void> {
  const spinner = startSpinner('thinking…');
  let written = false;
  try {
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (!text) continue;
      spinner.stop();
      output.write(text);
      written = true;
    }
  } finally {
    spinner.stop();
    if (written) output.write('\n');
  }
}
