import type { Contract } from '@bailian-chat/contract';
import type { AppRoute, ClientInferRequest, ClientInferResponses } from '@ts-rest/core';

type Request<R extends AppRoute> = ClientInferRequest<R>;

/** The body a route accepts, as the caller writes it (defaults optional). */
export type BodyOf<R extends AppRoute> = Request<R> extends { body: infer B } ? B : never;
/** The query a route accepts, as the caller writes it (defaults optional). */
export type QueryOf<R extends AppRoute> = Request<R> extends { query?: infer Q } ? NonNullable<Q> : never;
/** The `data` of a route's success envelope. */
export type DataOf<R extends AppRoute> = Extract<ClientInferResponses<R>, { status: 200 }>['body']['data'];

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * ms each attempt may take, the client's `timeout` when left out: past it the request is aborted
   * and the call rejects with ApiTimeoutError. For `chat.stream`, the time until the stream begins.
   */
  timeout?: number;
  /** Retries after a failure that cannot have done the work, the client's `maxRetries` when left out; 0 for none. */
  maxRetries?: number;
}

export type RegisterBody = BodyOf<Contract['auth']['register']>;
export type LoginBody = BodyOf<Contract['auth']['login']>;
export type LoginResult = DataOf<Contract['auth']['login']>;
export type RefreshResult = DataOf<Contract['auth']['refresh']>;
export type CreateConversationBody = BodyOf<Contract['conversations']['create']>;
export type UpdateConversationBody = BodyOf<Contract['conversations']['update']>;
export type ListConversationsQuery = QueryOf<Contract['conversations']['list']>;
export type SendMessageBody = BodyOf<Contract['messages']['send']>;
export type ListMessagesQuery = QueryOf<Contract['messages']['list']>;
/** A chat request; whether it streams is decided by the method called. */
export type ChatRequest = Omit<BodyOf<Contract['chat']['completions']>, 'stream'>;
export type ListApiCallsQuery = QueryOf<Contract['history']['apiCalls']>;
export type StatisticsQuery = QueryOf<Contract['history']['statistics']>;
