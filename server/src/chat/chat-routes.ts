import { contract } from '@bailian-chat/contract';
import { initServer } from '@ts-rest/express';
import type { ServiceDeps } from '../deps.js';
import { ApiError } from '../http/errors.js';

const s = initServer();
const notYet = async (): Promise<never> => {
  throw new ApiError(501, '尚未实现');
};

// Placeholder until this section of the spec is implemented.
export function chatRoutes(_deps: ServiceDeps) {
  return s.router(contract.chat, {
    completions: notYet,
  });
}
