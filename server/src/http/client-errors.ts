import { Messages } from '@bailian-chat/contract';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Statuses Node's HTTP parser answers by itself, by the code of its error (as Node's default handler maps them). */
const STATUS_OF_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const MESSAGE_OF_STATUS: Record<number, string> = {
  431: '请求头过大',
  413: Messages.payloadTooLarge,
  408: '请求超时',
};

/**
 * Requests Node's HTTP parser refuses before Express sees them (headers or a URL past 16 KB, a
 * byte that is not allowed in a request line or header, a malformed chunked body) are answered by
 * Node itself with a bare `400 Bad Request` or `431` and no body. This answers them as every other
 * error: our envelope, status == code, then the connection closes (the parser cannot go on).
 */
export function answerClientErrors(server: Server): Server {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: nothing to answer on a dead socket, or once an answer has begun there.
    const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    const status = STATUS_OF_CODE[err.code ?? ''] ?? 400;
    const body = JSON.stringify({ code: status, message: MESSAGE_OF_STATUS[status] ?? Messages.badRequest, data: null });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
  return server;
}
