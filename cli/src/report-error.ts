import { ApiConnectionError, ApiError, ApiTimeoutError, ChatStreamError, RateLimitError } from '@bailian-chat/client';
import { CommanderError } from 'commander';
import { NotLoggedInError, SessionExpiredError } from './cli-context.js';
import { ExitCode } from './exit-codes.js';
import { Interrupted } from './interrupted.js';
import { UsageError } from './usage-error.js';

/** Reasons that mean no connection was made: the server is not running there, or not at that name. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * No answer came (the SDK has already retried where that was safe). Which case it is decides what
 * the user can do: start the server or fix the URL; wait for a slow one; or try again after a
 * connection that broke, knowing that a command that changes something may have done it.
 */
function connectionLines(error: ApiConnectionError, baseUrl: string): string[] {
  if (error instanceof ApiTimeoutError) {
    return [`error: no answer from the server at ${baseUrl} within ${waitText(Math.ceil(error.timeout / 1000))}`];
  }
  const reason = error.code ?? (error.cause instanceof Error ? error.cause.message : 'network error');
  if (error.code !== null && UNREACHABLE.has(error.code)) {
    return [
      `error: cannot reach the server at ${baseUrl} (${reason})`,
      'hint: start it, or point the CLI at it with --base-url or BAILIAN_CHAT_URL',
    ];
  }
  return [`error: the connection to the server at ${baseUrl} broke off before it answered (${reason})`];
}

/** A wait as a person reads it: seconds for a short one, minutes (rounded up) for a long one. */
function waitText(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/**
 * A 429 says in Retry-After when a retry can succeed (seconds: a minute for chat, up to an hour
 * for registration): said out loud, the user neither hammers the server nor waits for nothing.
 */
function retryHint(error: ApiError): string[] {
  const seconds = Number(error.headers.get('retry-after'));
  if (!(error instanceof RateLimitError) || !Number.isInteger(seconds) || seconds <= 0) return [];
  return [`hint: try again in ${waitText(seconds)}`];
}

/**
 * A failure on the server's side (a 5xx, a stream that broke off) is for whoever runs the server
 * to look into: the id its log knows the request by is what to send them.
 */
function requestIdLine(requestId: string | null): string[] {
  return requestId ? [`request id: ${requestId}`] : [];
}

/**
 * An answer that is not the API's envelope has no message to show but its status: say where it
 * more likely came from than the API (a proxy's 502 page, a URL that is not the API's).
 */
function apiErrorLines(error: ApiError): string[] {
  if (!error.fromApi) {
    const lines = [`error: the server answered HTTP ${error.status} without an API body (a proxy in between, or not the API's URL?)`];
    return [...lines, ...(error.status >= 500 ? requestIdLine(error.requestId) : [])];
  }
  const lines = [`error: ${error.message} (HTTP ${error.status})`];
  for (const { field, message } of error.data?.errors ?? []) lines.push(`  ${field || '(body)'}: ${message}`);
  return [...lines, ...retryHint(error), ...(error.status >= 500 ? requestIdLine(error.requestId) : [])];
}

/**
 * Turns whatever a command threw into a message on stderr and the exit code that classifies it.
 * Commander has already printed its own usage errors; it also "throws" for --help and --version,
 * with exit code 0.
 */
export function reportError(error: unknown, baseUrl: string, stderr: NodeJS.WritableStream = process.stderr): number {
  const print = (...lines: string[]) => stderr.write(lines.join('\n') + '\n');
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (error instanceof UsageError) {
    print(`error: ${error.message}`, '(add --help for usage)');
    return ExitCode.usage;
  }
  if (error instanceof Interrupted) return ExitCode.interrupted;
  if (error instanceof SessionExpiredError) {
    print(`error: ${error.message}`, 'hint: the login has expired or was revoked: run `bailian-chat login <username>`');
    return ExitCode.apiError;
  }
  if (error instanceof ApiError) {
    print(...apiErrorLines(error));
    return ExitCode.apiError;
  }
  if (error instanceof ChatStreamError) {
    print(`error: ${error.message}`, ...requestIdLine(error.requestId));
    return ExitCode.apiError;
  }
  if (error instanceof NotLoggedInError) {
    print(`error: ${error.message}`);
    return ExitCode.apiError;
  }
  if (error instanceof ApiConnectionError) {
    print(...connectionLines(error, baseUrl));
    return ExitCode.apiError;
  }
  print(`error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.apiError;
}
