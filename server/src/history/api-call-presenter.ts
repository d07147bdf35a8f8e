import type { ApiCall } from '@bailian-chat/contract';
import type { ApiCallRow } from '../db/schema.js';

/** An API-call record as the API shows it (spec §5.1). */
export function toApiCall(row: ApiCallRow): ApiCall {
  return {
    id: row.id,
    user_id: row.user_id,
    conversation_id: row.conversation_id,
    message_id: row.message_id,
    model_name: row.model_name,
    api_endpoint: row.api_endpoint,
    status_code: row.status_code,
    request_tokens: row.request_tokens,
    response_tokens: row.response_tokens,
    total_tokens: row.total_tokens,
    call_duration: row.call_duration,
    client_ip: row.client_ip,
    created_at: row.created_at,
    upstream_request_id: row.upstream_request_id,
    stream: row.stream === 1,
    error_code: row.error_code,
  };
}
