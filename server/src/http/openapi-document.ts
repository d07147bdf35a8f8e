import { PUBLIC_ROUTES, contract } from '@bailian-chat/contract';
import type { AppRoute } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import type { OpenAPIObject } from 'openapi3-ts';
import { TAGS, documentOperation } from './document-operation.js';
import { hoistNamedSchemas } from './openapi-components.js';
import { toOpenApi30 } from './openapi-schema-30.js';

const DESCRIPTION = `面向通义千问（Qwen）文本与视觉模型的聊天应用后端：账户、对话与多模态消息、阿里云百炼（DashScope）代理、用量历史与统计。

**响应格式**：所有响应（包括错误）都是 \`{code, message, data}\`，\`code\` 与 HTTP 状态码相同。400 可在 \`data.errors\` 中列出字段错误 \`[{field, message}]\`；其它错误的 \`data\` 为 \`null\`。

**认证**：\`POST /api/auth/login\` 返回 \`access_token\`（JWT）与 \`refresh_token\`。除注册、登录、刷新和模型列表外，请求都需要 \`Authorization: Bearer <access_token>\`；过期后用 \`POST /api/auth/refresh\` 换取新的 \`access_token\`。

**约定**：ID 为整数；时间为以 \`Z\` 结尾的 ISO 8601 UTC；日期 \`YYYY-MM-DD\` 按服务端 \`STATS_TIMEZONE\` 解释，含两端。`;

/**
 * The OpenAPI 3.0 document of the whole API, generated from the contract. `npm run openapi` writes
 * it to openapi.json and the server answers it at GET /openapi.json; a test keeps the two equal.
 */
export function openApiDocument(): OpenAPIObject {
  const publicRoutes = new Set<AppRoute>(PUBLIC_ROUTES);
  const document = generateOpenApi(
    contract,
    {
      info: { title: 'bailian-chat API', version: '1.0.0', description: DESCRIPTION },
      // Relative: the API is wherever this document was fetched from (also what /docs calls).
      servers: [{ url: '/', description: '提供本文档的服务' }],
      tags: Object.values(TAGS),
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: '`POST /api/auth/login` 或 `POST /api/auth/refresh` 返回的 `access_token`',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    {
      setOperationId: 'concatenated-path',
      operationMapper: (operation, route) => documentOperation(toOpenApi30(operation), publicRoutes.has(route)),
    },
  );
  const { paths, schemas } = hoistNamedSchemas(document.paths);
  return { ...document, paths, components: { ...document.components, schemas } };
}
