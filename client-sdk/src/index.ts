export { ChatStream } from './chat-stream.js';
export { type BailianClient, type ClientOptions, createClient } from './create-client.js';
export {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ChatStreamError,
  ConflictError,
  type ErrorData,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from './errors.js';
export type { Tokens, TokensListener } from './token-session.js';
export type * from './types.js';
export type {
  ApiCall,
  ChatCompletion,
  ChatCompletionChunk,
  ContentPart,
  Conversation,
  CurrentUser,
  FieldError,
  Message,
  Pagination,
  Statistics,
  User,
} from '@bailian-chat/contract';
