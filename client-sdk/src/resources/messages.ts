import { pathId } from '../path-id.js';
import type { ClientCore } from '../api.js';
import { paginate } from '../pagination.js';
import type { ListMessagesQuery, RequestOptions, SendMessageBody } from '../types.js';
import { unwrap } from '../unwrap.js';

/** Spec §3. */
export function messagesResource({ api }: ClientCore) {
  const list = (conversationId: number, query: ListMessagesQuery = {}, options?: RequestOptions) =>
    unwrap(api.messages.list({ params: { conversation_id: pathId(conversationId) }, query, fetchOptions: options }));

  return {
    send: (conversationId: number, body: SendMessageBody, options?: RequestOptions) =>
      unwrap(api.messages.send({ params: { conversation_id: pathId(conversationId) }, body, fetchOptions: options })),
    list,
    /** Every message of the conversation in `query.order` (oldest first by default), page by page. */
    listAll: (conversationId: number, query: ListMessagesQuery = {}, options?: RequestOptions) =>
      paginate(
        async (page) => {
          const { messages, pagination } = await list(conversationId, { ...query, page }, options);
          return { items: messages, pagination };
        },
        (message) => message.message_id,
        query.page,
      ),
    delete: async (messageId: number, options?: RequestOptions) => {
      await unwrap(api.messages.delete({ params: { message_id: pathId(messageId) }, fetchOptions: options }));
    },
  };
}
