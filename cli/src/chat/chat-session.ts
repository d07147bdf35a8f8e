import { createInterface, type Interface } from 'node:readline';
import { AuthenticationError, type BailianClient, type Conversation, NotFoundError } from '@bailian-chat/client';
import { ExitCode } from '../exit-codes.js';
import { printReply } from './print-reply.js';
import { recentHistory } from './recent-history.js';

const QUIT_COMMANDS = new Set(['/exit', '/quit']);

/**
 * Failures every later turn would meet too: the conversation is gone (deleted meanwhile, 404
 * 对话不存在), or the login is over (a 401 the SDK's refresh could not get past).
 */
function endsSession(error: unknown): boolean {
  return error instanceof NotFoundError || error instanceof AuthenticationError;
}

/**
 * The interactive chat: each line is stored as the user's message, then the model's reply streams
 * out and the server stores it in the conversation. `/exit`, end of input, or a failure no later
 * turn could get past ends the session.
 *
 * Ctrl-C means two things. On a terminal it is a key readline sees: it stops the reply under way,
 * and at the prompt it quits. Without one (stdin or stdout piped) it is the SIGINT signal (as is a
 * `kill -INT` at any time), which a shell sends the whole job: the rest of the job is going away,
 * so the session stops its reply and ends there, without sending the lines still to read, and the
 * command exits 130 as a process killed by it would.
 */
export class ChatSession {
  /** Whether the user types at a prompt (readline edits the line and sees Ctrl-C as a key). */
  readonly terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  private reply: AbortController | undefined;
  /** Replies that failed (not the ones the user stopped). */
  failures = 0;
  /** Set once SIGINT has ended the session. */
  interrupted = false;

  constructor(
    private readonly client: BailianClient,
    private readonly conversation: Conversation,
    private readonly contextSize: number,
    /** Tells the user why a reply failed; the session goes on. */
    private readonly report: (error: unknown) => void,
  ) {}

  async run(): Promise<void> {
    const { terminal } = this;
    const lines = createInterface({
      input: process.stdin,
      output: terminal ? process.stdout : undefined,
      terminal,
      prompt: 'you> ',
    });
    const onKey = () => this.stopOrQuit(lines);
    const onSignal = () => this.interrupt(lines);
    lines.on('SIGINT', onKey);
    process.on('SIGINT', onSignal);
    try {
      if (terminal) lines.prompt();
      for await (const line of lines) {
        // readline may have read lines past the one the signal came during: they stay unsent.
        if (this.interrupted) break;
        const text = line.trim();
        if (QUIT_COMMANDS.has(text)) break;
        if (text && !(await this.turn(text))) break;
        if (terminal) lines.prompt();
      }
    } finally {
      process.off('SIGINT', onSignal);
      lines.close();
    }
  }

  /** Ctrl-C on a terminal: the first stops the reply under way; one with no reply under way ends the session. */
  private stopOrQuit(lines: Interface): void {
    if (this.reply && !this.reply.signal.aborted) this.reply.abort();
    else lines.close();
  }

  /**
   * SIGINT: the reply under way (if any) is stopped, and no more input is read. The exit code is
   * set at once: stopping the reply writes to stdout, whose reader the same Ctrl-C may have ended,
   * and the EPIPE that follows exits there (see main.ts).
   */
  private interrupt(lines: Interface): void {
    this.interrupted = true;
    process.exitCode = ExitCode.interrupted;
    this.reply?.abort();
    lines.close();
  }

  /** One question and its reply; false when the session cannot go on. */
  private async turn(text: string): Promise<boolean> {
    const reply = new AbortController();
    this.reply = reply;
    const { signal } = reply;
    const { conversation_id, model_name } = this.conversation;
    try {
      await this.client.messages.send(conversation_id, { content: [{ type: 'text', text }] }, { signal });
      const messages = await recentHistory(this.client, conversation_id, this.contextSize, signal);
      const stream = this.client.chat.stream({ model: model_name, messages, conversation_id }, { signal });
      await printReply(stream, process.stdout);
      return true;
    } catch (error) {
      if (signal.aborted) {
        process.stderr.write('[reply stopped]\n');
        return !this.interrupted;
      }
      this.failures += 1;
      this.report(error);
      return !endsSession(error);
    } finally {
      this.reply = undefined;
    }
  }
}
