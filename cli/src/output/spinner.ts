const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const INTERVAL_MS = 80;
/** Requests that answer quickly finish before the spinner would flicker into view. */
const DELAY_MS = 150;
const CLEAR_LINE = '\r\x1b[2K';

export interface Spinner {
  /** Removes the spinner; safe to call more than once (later calls do nothing). */
  stop(): void;
}

/**
 * An animated line on stderr while something slow runs, only when stderr is a terminal: piped or
 * redirected output stays free of escape codes. Deliberately installs no signal handlers: Ctrl-C
 * keeps whatever meaning the command gave it.
 */
export function startSpinner(text: string, stream: NodeJS.WriteStream = process.stderr): Spinner {
  if (!stream.isTTY) return { stop() {} };
  let frame = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    shown = true;
    stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, INTERVAL_MS);
  }, DELAY_MS);
  return {
    stop() {
      clearTimeout(delay);
      clearInterval(timer);
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

/** Runs `work` with a spinner showing `text`. */
export async function withSpinner<T>(text: string, work: () => Promise<T>): Promise<T> {
  const spinner = startSpinner(text);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
