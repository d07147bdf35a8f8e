import {
  AnsweredContentSchema,
  ApiCallSchema,
  ChatCompletionChunkSchema,
  ChatCompletionSchema,
  ChatStreamErrorFrameSchema,
  ContentSchema,
  ConversationSchema,
  CurrentUserSchema,
  ErrorEnvelopeSchema,
  FieldErrorSchema,
  LoginResultSchema,
  MessageSchema,
  ModelListSchema,
  PaginationSchema,
  RefreshResultSchema,
  RegisteredUserSchema,
  StatisticsSchema,
  UserSchema,
} from '@bailian-chat/contract';
import { generateSchema } from '@anatine/zod-openapi';
import type { SchemaObject } from 'openapi3-ts';
import type { ZodTypeAny } from 'zod';
import { toOpenApi30 } from './openapi-schema-30.js';

/** Contract schemas that get a name under `components/schemas`, so typed consumers can name them. */
const NAMED_SCHEMAS: Record<string, ZodTypeAny> = {
  ErrorEnvelope: ErrorEnvelopeSchema,
  FieldError: FieldErrorSchema,
  Pagination: PaginationSchema,
  User: UserSchema,
  RegisteredUser: RegisteredUserSchema,
  CurrentUser: CurrentUserSchema,
  LoginResult: LoginResultSchema,
  RefreshResult: RefreshResultSchema,
  Conversation: ConversationSchema,
  Content: ContentSchema,
  AnsweredContent: AnsweredContentSchema,
  Message: MessageSchema,
  ChatCompletion: ChatCompletionSchema,
  // Frames of the chat route's event stream: the document can only describe that stream as text.
  ChatCompletionChunk: ChatCompletionChunkSchema,
  ChatStreamErrorFrame: ChatStreamErrorFrameSchema,
  ApiCall: ApiCallSchema,
  Statistics: StatisticsSchema,
  ModelList: ModelListSchema,
};

/**
 * @ts-rest/open-api inlines every schema (it only hoists zod schemas carrying an OpenAPI `title`).
 * This replaces each occurrence of a named contract schema in `paths` by a `$ref`, and returns the
 * named schemas (themselves with nested named schemas referenced) for `components/schemas`.
 * Occurrences are found by structure: the generator writes one zod schema the same way every time.
 */
export function hoistNamedSchemas<T>(paths: T): { paths: T; schemas: Record<string, SchemaObject> } {
  const byShape = new Map<string, string>();
  const generated = Object.entries(NAMED_SCHEMAS).map(([name, zod]) => {
    const schema = toOpenApi30(generateSchema(zod, true));
    byShape.set(JSON.stringify(schema), name);
    return [name, schema] as const;
  });
  const refer = (node: unknown, root = false): unknown => {
    if (Array.isArray(node)) return node.map((item) => refer(item));
    if (node === null || typeof node !== 'object') return node;
    const name = root ? undefined : byShape.get(JSON.stringify(node));
    if (name) return { $ref: `#/components/schemas/${name}` };
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, refer(value)]));
  };
  return {
    paths: refer(paths) as T,
    schemas: Object.fromEntries(generated.map(([name, schema]) => [name, refer(schema, true) as SchemaObject])),
  };
}
