import { initContract } from '@ts-rest/core';
import { authContract } from './auth.js';
import { chatContract } from './chat.js';
import { conversationsContract } from './conversations.js';
import { historyContract } from './history.js';
import { messagesContract } from './messages.js';
import { modelsContract } from './models.js';

const c = initContract();

/** The whole API. Server, client SDK, CLI and openapi.json all derive from this object. */
export const contract = c.router(
  {
    auth: authContract,
    conversations: conversationsContract,
    messages: messagesContract,
    chat: chatContract,
    history: historyContract,
    models: modelsContract,
  },
  { strictStatusCodes: true },
);
export type Contract = typeof contract;

/** Routes that need no access token. */
export const PUBLIC_ROUTES = [contract.auth.register, contract.auth.login, contract.auth.refresh, contract.models.list];

export * from './auth.js';
export * from './chat.js';
export * from './sse-data.js';
export * from './common.js';
export * from './content.js';
export * from './conversations.js';
export * from './envelope.js';
export * from './history.js';
export * from './messages.js';
export * from './models.js';
