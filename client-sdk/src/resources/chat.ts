import { contract } from '@bailian-chat/contract';
import type { ClientCore } from '../api.js';
import { checkRetries, checkTimeout } from '../check-options.js';
import { ChatStream } from '../chat-stream.js';
import type { ChatRequest, RequestOptions } from '../types.js';
import { unwrap } from '../unwrap.js';

/** Spec §4. */
export function chatResource({ api, send, baseUrl }: ClientCore) {
  return {
    /** The whole answer at once. */
    completions: (body: ChatRequest, options?: RequestOptions) =>
      unwrap(api.chat.completions({ body: { ...body, stream: false }, fetchOptions: options })),

    /**
     * The answer as it is produced: `for await (const chunk of client.chat.stream(body))`.
     * ts-rest's client cannot read an event stream, so this one is sent with fetch directly.
     */
    stream: (body: ChatRequest, options?: RequestOptions) =>
      new ChatStream(
        (signal) =>
          send(
            baseUrl + contract.chat.completions.path,
            {
              method: contract.chat.completions.method,
              headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
              body: JSON.stringify({ ...body, stream: true }),
              signal,
            },
            { isPublic: false, timeout: checkTimeout(options?.timeout), maxRetries: checkRetries(options?.maxRetries) },
            // The response as it is: the timeout stops at the headers, and a reply may take minutes.
            async (response) => response,
          ),
        options?.signal,
      ),
  };
}
