import { pathId } from '../path-id.js';
import type { ClientCore } from '../api.js';
import { paginate } from '../pagination.js';
import type { CreateConversationBody, ListConversationsQuery, RequestOptions, UpdateConversationBody } from '../types.js';
import { unwrap } from '../unwrap.js';

/** Spec §2. */
export function conversationsResource({ api }: ClientCore) {
  const list = (query: ListConversationsQuery = {}, options?: RequestOptions) =>
    unwrap(api.conversations.list({ query, fetchOptions: options }));
  const byId = (conversationId: number) => ({ conversation_id: pathId(conversationId) });

  return {
    create: (body: CreateConversationBody, options?: RequestOptions) =>
      unwrap(api.conversations.create({ body, fetchOptions: options })),
    list,
    /** Every conversation matching `query`, page by page from `query.page` (default 1). */
    listAll: (query: ListConversationsQuery = {}, options?: RequestOptions) =>
      paginate(
        async (page) => {
          const { conversations, pagination } = await list({ ...query, page }, options);
          return { items: conversations, pagination };
        },
        (conversation) => conversation.conversation_id,
        query.page,
      ),
    get: (conversationId: number, options?: RequestOptions) =>
      unwrap(api.conversations.get({ params: byId(conversationId), fetchOptions: options })),
    update: (conversationId: number, body: UpdateConversationBody, options?: RequestOptions) =>
      unwrap(api.conversations.update({ params: byId(conversationId), body, fetchOptions: options })),
    delete: async (conversationId: number, options?: RequestOptions) => {
      await unwrap(api.conversations.delete({ params: byId(conversationId), fetchOptions: options }));
    },
  };
}
