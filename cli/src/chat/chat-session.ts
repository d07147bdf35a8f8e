import { createInterface, type Interface } from 'node:readline';
import { AuthenticationError, type BailianClient, type Conversation, NotFoundError } from '@bailian-chat/client';
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
 * out and the server stores it in the conversation. Ctrl-C during a reply stops that reply; Ctrl-C
 * at the prompt, `/exit`, end of input, or a failure no later turn could get past ends the session. Without a terminal (stdin piped) there
 * is no prompt, and Ctrl-C is the SIGINT signal rather than a key readline sees.
 */
export class ChatSession {
  private reply: AbortController | undefined;
  /** Replies that failed (not the ones the user stopped). */
  failures = 0;

  constructor(
    private readonly client: BailianClient,
    private readonly conversation: Conversation,
    private readonly contextSize: number,
    /** Tells the user why a reply failed; the session goes on. */
    private readonly report: (error: unknown) => void,
  ) {}

  async run(): Promise<void> {
    const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const lines = createInterface({
      input: process.stdin,
      output: terminal ? process.stdout : undefined,
      terminal,
      prompt: 'you> ',
    });
    const onInterrupt = () => this.interrupt(lines);
    lines.on('SIGINT', onInterrupt);
    process.on('SIGINT', onInterrupt);
    try {
      if (terminal) lines.prompt();
      for await (const line of lines) {
        const text = line.trim();
        if (QUIT_COMMANDS.has(text)) break;
        if (text && !(await this.turn(text))) break;
        if (terminal) lines.prompt();
      }
    } finally {
      process.off('SIGINT', onInterrupt);
      lines.close();
    }
  }

  /** The first Ctrl-C stops the reply under way; one with no reply under way ends the session. */
  private interrupt(lines: Interface): void {
    if (this.reply && !this.reply.signal.aborted) this.reply.abort();
    else lines.close();
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
        return true;
      }
      this.failures += 1;
      this.report(error);
      return !endsSession(error);
    } finally {
      this.reply = undefined;
    }
  }
}
