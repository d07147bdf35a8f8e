import { Messages } from '@bailian-chat/contract';

/**
 * What the OpenAPI document says about each operation beyond what the zod contract carries: the
 * spec section, the success message, the spec's JSON samples (request bodies are built from the
 * same sample values), and the error messages each status answers with on that route.
 * Keyed by operationId (`<router key>.<route key>`).
 */
export interface OperationDoc {
  /** Spec section, e.g. `1.2`; absent for extensions to the spec. */
  section?: string;
  successMessage: string;
  requestExample?: unknown;
  /** The `data` of the success envelope. */
  responseExample: unknown;
  /** Messages per error status where the route's differ from the defaults below. */
  errorMessages?: Partial<Record<number, string[]>>;
  /** A `text/event-stream` sample, for the route that can stream its answer. */
  streamExample?: string;
}

/** What each error status answers unless the route says otherwise. */
export const DEFAULT_ERROR_MESSAGES: Record<number, string[]> = {
  400: [Messages.badRequest],
  401: [Messages.unauthenticated],
  403: [Messages.userDisabled],
  404: [Messages.notFound],
  409: [Messages.userExists],
  413: [Messages.payloadTooLarge],
  // A body in a charset or Content-Encoding the server does not read.
  415: [Messages.unsupportedBodyEncoding],
  429: [Messages.rateLimited],
  500: [Messages.internal],
  503: [Messages.upstreamUnavailable, Messages.apiKeyMissing, Messages.serverStopping],
};

const TIME = '2023-01-01T00:00:00Z';
const TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...';
const user = {
  user_id: 123456,
  username: 'example_user',
  email: 'user@example.com',
  nickname: 'Example',
  avatar_url: null,
  phone: null,
  status: 1,
};
const conversation = {
  conversation_id: 789012,
  title: '新对话',
  model_name: 'qwen-vl-max-latest',
  status: 1,
  created_at: TIME,
  updated_at: TIME,
};
const greeting = [{ type: 'text', text: '你好，请介绍一下你自己' }];
const introduction = [{ type: 'text', text: '我是通义千问，阿里巴巴集团旗下的超大规模语言模型...' }];
const userMessage = {
  message_id: 345678,
  conversation_id: 789012,
  user_id: 123456,
  role: 'user',
  content_type: 'text',
  content: greeting,
  status: 1,
  created_at: TIME,
};
const page = (per_page: number, total: number) => ({ current_page: 1, per_page, total, total_pages: 1 });

const chunkBase = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1677652288, model: 'qwen-vl-max-latest' };
const chunk = (delta: object, finish_reason: string | null) =>
  JSON.stringify({ ...chunkBase, choices: [{ index: 0, delta, finish_reason }] });

// A disabled account's token is refused with 403 on every authenticated route, beside the route's own 403.
const conversationErrors = (forbidden: string, notFound: string = Messages.conversationNotFound) => ({
  403: [forbidden, Messages.userDisabled],
  404: [notFound],
});

export const OPERATION_DOCS: Record<string, OperationDoc> = {
  'auth.register': {
    section: '1.1',
    successMessage: '注册成功',
    requestExample: { username: 'example_user', email: 'user@example.com', password: 'correct-horse-battery', nickname: 'Example' },
    responseExample: { ...user, created_at: TIME },
  },
  'auth.login': {
    section: '1.2',
    successMessage: '登录成功',
    requestExample: { username: 'example_user', password: 'correct-horse-battery' },
    responseExample: { access_token: TOKEN, refresh_token: TOKEN, expires_in: 3600, user },
    errorMessages: { 401: [Messages.invalidCredentials] },
  },
  'auth.logout': { section: '1.3', successMessage: '登出成功', responseExample: null },
  'auth.refresh': {
    section: '1.4',
    successMessage: 'Token刷新成功',
    requestExample: { refresh_token: 'k2Vd0yqvH1kq0m9b0yq4Zb3p8w5n1x7c6r2t8u4v0sQ' },
    responseExample: { access_token: TOKEN, expires_in: 3600 },
    errorMessages: { 401: [Messages.invalidRefreshToken] },
  },
  'auth.me': {
    section: '1.5',
    successMessage: '获取成功',
    responseExample: { ...user, created_at: TIME, last_login_at: '2023-01-02T00:00:00Z' },
  },
  'conversations.create': {
    section: '2.1',
    successMessage: '创建成功',
    requestExample: { title: '新对话', model_name: 'qwen-vl-max-latest' },
    responseExample: conversation,
  },
  'conversations.list': {
    section: '2.2',
    successMessage: '获取成功',
    responseExample: { conversations: [conversation], pagination: page(10, 1) },
  },
  'conversations.get': {
    section: '2.3',
    successMessage: '获取成功',
    responseExample: conversation,
    errorMessages: conversationErrors(Messages.conversationForbidden),
  },
  'conversations.update': {
    section: '2.4',
    successMessage: '更新成功',
    requestExample: { title: '更新后的对话标题' },
    responseExample: { ...conversation, title: '更新后的对话标题', updated_at: '2023-01-01T01:00:00Z' },
    errorMessages: conversationErrors(Messages.conversationUpdateForbidden),
  },
  'conversations.delete': {
    section: '2.5',
    successMessage: '删除成功',
    responseExample: null,
    errorMessages: conversationErrors(Messages.conversationDeleteForbidden),
  },
  'messages.send': {
    section: '3.1',
    successMessage: '发送成功',
    requestExample: { content: greeting },
    responseExample: userMessage,
    errorMessages: conversationErrors(Messages.messageSendForbidden),
  },
  'messages.list': {
    section: '3.2',
    successMessage: '获取成功',
    responseExample: {
      messages: [
        userMessage,
        {
          ...userMessage,
          message_id: 345679,
          user_id: 0,
          role: 'assistant',
          content: introduction,
          created_at: '2023-01-01T00:00:01Z',
        },
      ],
      pagination: page(20, 2),
    },
    errorMessages: conversationErrors(Messages.messagesReadForbidden),
  },
  'messages.delete': {
    section: '3.3',
    successMessage: '删除成功',
    responseExample: null,
    errorMessages: conversationErrors(Messages.messageDeleteForbidden, Messages.messageNotFound),
  },
  'chat.completions': {
    section: '4.1',
    successMessage: '请求成功',
    requestExample: {
      model: 'qwen-vl-max-latest',
      messages: [{ role: 'user', content: greeting }],
      temperature: 1,
      max_tokens: 1024,
    },
    responseExample: {
      id: 'chatcmpl-123',
      object: 'chat.completion',
      created: 1677652288,
      model: 'qwen-vl-max-latest',
      choices: [{ index: 0, message: { role: 'assistant', content: introduction }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
    },
    errorMessages: conversationErrors(Messages.conversationForbidden),
    streamExample: [
      chunk({ role: 'assistant', content: '' }, null),
      chunk({ content: '我是通义千问' }, null),
      chunk({}, 'stop'),
      JSON.stringify({ ...chunkBase, choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } }),
      '[DONE]',
    ]
      .map((data) => `data: ${data}\n\n`)
      .join(''),
  },
  'history.apiCalls': {
    section: '5.1',
    successMessage: '获取成功',
    responseExample: {
      api_calls: [
        {
          id: 112233,
          user_id: 123456,
          conversation_id: 789012,
          message_id: 345678,
          model_name: 'qwen-vl-max-latest',
          api_endpoint: '/api/bailian/chat/completions',
          status_code: 200,
          request_tokens: 9,
          response_tokens: 12,
          total_tokens: 21,
          call_duration: 1200,
          client_ip: '192.168.1.100',
          created_at: TIME,
          upstream_request_id: 'b1c2d3e4-0000-4000-8000-000000000000',
          stream: false,
          error_code: null,
        },
      ],
      pagination: page(10, 1),
    },
  },
  'history.statistics': {
    section: '5.2',
    successMessage: '获取成功',
    responseExample: {
      total_conversations: 15,
      total_messages: 128,
      total_tokens: 2560,
      model_statistics: [
        { model_name: 'qwen-vl-max-latest', conversation_count: 10, message_count: 85, token_count: 1700 },
        { model_name: 'qwen-plus', conversation_count: 5, message_count: 43, token_count: 860 },
      ],
      daily_statistics: [{ date: '2023-01-01', conversation_count: 3, message_count: 24, token_count: 480 }],
    },
  },
  'models.list': {
    successMessage: '获取成功',
    responseExample: {
      models: [
        { model_name: 'qwen-plus', vision: false },
        { model_name: 'qwen-vl-max-latest', vision: true },
      ],
      any_model_allowed: false,
    },
  },
};
