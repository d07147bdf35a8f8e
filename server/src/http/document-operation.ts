import type { MediaTypeObject, OperationObject, ResponseObject, SchemaObject } from 'openapi3-ts';
import { DEFAULT_ERROR_MESSAGES, OPERATION_DOCS, type OperationDoc } from './openapi-operation-docs.js';

/** Spec sections become tags, in the spec's order; `models` is our extension. */
export const TAGS = {
  auth: { name: '认证', description: '§1 用户认证相关接口' },
  conversations: { name: '对话', description: '§2 对话管理接口' },
  messages: { name: '消息', description: '§3 消息管理接口' },
  chat: { name: '百炼代理', description: '§4 阿里云百炼API代理接口' },
  history: { name: '历史', description: '§5 历史记录查询接口' },
  models: { name: '模型', description: '可用模型（规范之外的扩展）' },
} as const;

/**
 * Completes one operation as @ts-rest/open-api generated it: tag, description, security, the
 * description and example of every response, the request example, and the event stream of the
 * chat route (ts-rest has no way to declare a second media type for a status).
 */
export function documentOperation(operation: OperationObject, isPublic: boolean): OperationObject {
  const id = operation.operationId ?? '';
  const doc = OPERATION_DOCS[id];
  if (!doc) throw new Error(`no OpenAPI documentation for operation ${id}`);
  return {
    ...operation,
    tags: (operation.tags ?? []).map(tagName),
    description: describe(operation, doc, isPublic),
    ...(isPublic && { security: [] }),
    ...(operation.requestBody && { requestBody: withRequestExample(operation, doc) }),
    responses: Object.fromEntries(
      Object.entries(operation.responses as Record<string, ResponseObject>).map(([status, response]) => [
        status,
        documentResponse(Number(status), response, doc, operation),
      ]),
    ),
  };
}

function tagName(routerKey: string): string {
  const tag = TAGS[routerKey as keyof typeof TAGS];
  if (!tag) throw new Error(`no OpenAPI tag for the contract's "${routerKey}" routes`);
  return tag.name;
}

function describe(operation: OperationObject, doc: OperationDoc, isPublic: boolean): string {
  const origin = doc.section ? `规范 §${doc.section}。` : '规范之外的扩展。';
  const auth = isPublic ? '无需认证。' : '需要 JWT Token 认证（`Authorization: Bearer <access_token>`）。';
  return [operation.description, `${origin}${auth}`].filter(Boolean).join('\n\n');
}

function withRequestExample(operation: OperationObject, doc: OperationDoc) {
  const content = jsonContent(operation.requestBody as { content: Record<string, MediaTypeObject> });
  return {
    description: '请求体（JSON）',
    required: true,
    content: { 'application/json': { ...content, ...(doc.requestExample !== undefined && { example: doc.requestExample }) } },
  };
}

function documentResponse(status: number, response: ResponseObject, doc: OperationDoc, operation: OperationObject): ResponseObject {
  const content = jsonContent(response as { content: Record<string, MediaTypeObject> });
  if (status === 200) {
    return {
      description: doc.successMessage,
      content: {
        'application/json': { ...content, example: { code: 200, message: doc.successMessage, data: doc.responseExample } },
        ...(doc.streamExample && { 'text/event-stream': eventStream(doc.streamExample) }),
      },
    };
  }
  const messages = doc.errorMessages?.[status] ?? DEFAULT_ERROR_MESSAGES[status] ?? [];
  return {
    description: messages.join('；') || String(status),
    content: {
      'application/json': {
        ...content,
        example: { code: status, message: messages[0], data: status === 400 ? badRequestData(operation) : null },
      },
    },
  };
}

function jsonContent(holder: { content: Record<string, MediaTypeObject> }): MediaTypeObject {
  const content = holder.content['application/json'];
  if (!content) throw new Error('@ts-rest/open-api gave no application/json content');
  return content;
}

/**
 * The chat route's event stream. OpenAPI 3.0 can only call it text; what each `data:` frame holds
 * is said in `x-itemSchema`, as OpenAPI 3.2's `itemSchema` says it for sequential media types.
 */
function eventStream(example: string): MediaTypeObject {
  return {
    schema: {
      type: 'string',
      description:
        '请求体 `stream: true` 时的应答：Server-Sent Events，每帧 `data: <chat.completion.chunk JSON>`，' +
        '最后一帧为 usage（`choices: []`），以 `data: [DONE]` 结束；状态码发出后上游失败时，以错误帧' +
        '（`ChatStreamErrorFrame`）代替 `data: [DONE]` 结束。每帧 data 的结构见 `x-itemSchema`。',
    },
    'x-itemSchema': { oneOf: [{ $ref: '#/components/schemas/ChatCompletionChunk' }, { $ref: '#/components/schemas/ChatStreamErrorFrame' }] },
    example,
  };
}

/** A 400 names the fields it refuses; the example names the first required field of the body. */
function badRequestData(operation: OperationObject) {
  const body = operation.requestBody as { content: Record<string, MediaTypeObject> } | undefined;
  const field = (body?.content['application/json']?.schema as SchemaObject | undefined)?.required?.[0];
  return field ? { errors: [{ field, message: 'Required' }] } : null;
}
