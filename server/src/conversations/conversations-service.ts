import {
  type CreateConversationBodySchema,
  DEFAULT_TITLE,
  type ListConversationsQuerySchema,
  Messages,
  type UpdateConversationBodySchema,
} from '@bailian-chat/contract';
import type { z } from 'zod';
import { nowIso } from '../db/clock.js';
import type { ServiceDeps } from '../deps.js';
import { NotFoundError } from '../http/errors.js';
import { offsetOf, paginationOf } from '../http/pagination.js';
import { assertModelAllowed } from '../models/models-service.js';
import { requireOwnConversation } from './conversation-access.js';
import { toConversation } from './conversation-presenter.js';
import * as conversations from './conversations-repository.js';

export async function createConversation(
  deps: ServiceDeps,
  userId: number,
  body: z.infer<typeof CreateConversationBodySchema>,
) {
  assertModelAllowed(deps.config, body.model_name, 'model_name');
  const now = nowIso();
  const row = await conversations.insertConversation(deps.db, {
    user_id: userId,
    title: body.title ?? DEFAULT_TITLE,
    model_name: body.model_name,
    status: conversations.CONVERSATION_LIVE,
    created_at: now,
    updated_at: now,
  });
  return toConversation(row);
}

export async function listConversations(
  deps: ServiceDeps,
  userId: number,
  query: z.infer<typeof ListConversationsQuerySchema>,
) {
  // Any model may be filtered on, not only allowed ones: old conversations keep retired models.
  const filter = { userId, modelName: query.model_name };
  const [rows, total] = await Promise.all([
    conversations.listConversations(deps.db, filter, { limit: query.limit, offset: offsetOf(query.page, query.limit) }),
    conversations.countConversations(deps.db, filter),
  ]);
  return { conversations: rows.map(toConversation), pagination: paginationOf(query.page, query.limit, total) };
}

export async function getConversation(deps: ServiceDeps, userId: number, conversationId: number) {
  return toConversation(await requireOwnConversation(deps.db, userId, conversationId));
}

/** Renames a conversation; a body without a title changes nothing (and does not move `updated_at`). */
export async function updateConversation(
  deps: ServiceDeps,
  userId: number,
  conversationId: number,
  body: z.infer<typeof UpdateConversationBodySchema>,
) {
  const current = await requireOwnConversation(deps.db, userId, conversationId, Messages.conversationUpdateForbidden);
  if (body.title === undefined) return toConversation(current);
  const row = await conversations.updateConversationTitle(deps.db, conversationId, body.title, nowIso());
  // Deleted by a concurrent request between the check and the update.
  if (!row) throw new NotFoundError(Messages.conversationNotFound);
  return toConversation(row);
}

export async function deleteConversation(deps: ServiceDeps, userId: number, conversationId: number) {
  await requireOwnConversation(deps.db, userId, conversationId, Messages.conversationDeleteForbidden);
  if (!(await conversations.softDeleteConversation(deps.db, conversationId))) {
    throw new NotFoundError(Messages.conversationNotFound);
  }
}
