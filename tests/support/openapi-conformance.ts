import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

/**
 * Checks answers of the server against the committed openapi.json, as a client generated from it
 * would read them: the status is listed for the operation, the content type is declared for that
 * status, and a JSON body validates against the declared schema. Answers to paths the document does
 * not have must still be the envelope `{code, message, data}`.
 */

/** One answer as it left the server. */
export interface Answer {
  method: string;
  /** The request target as sent, query included. */
  url: string;
  status: number;
  contentType: string | undefined;
  /** The bytes of the body that were sent; undefined for one too large to keep. */
  body: Buffer | undefined;
  /** False when the answer was cut short (the client left, or the server destroyed it mid-body). */
  complete: boolean;
}

interface MediaType {
  schema?: object;
  /** What each `data:` frame of an event stream holds (OpenAPI 3.2's `itemSchema`, as an extension in 3.0). */
  'x-itemSchema'?: object;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface PathEntry {
  pattern: RegExp;
  operations: Record<string, Operation>;
}

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};

/**
 * Routes the app serves that are not the API and so not in the document, nor in the envelope:
 * the document itself, and Swagger UI's page, assets and its redirect from `/docs` to `/docs/`.
 * Only their successes and redirects are exempt: a 404 under /docs (a file the page does not
 * link to) is any unknown route's, in the envelope.
 */
const OUTSIDE_THE_DOCUMENT = [/^\/openapi\.json$/, /^\/docs(\/|$)/];

function outsideTheDocument(path: string, status: number): boolean {
  return status < 400 && OUTSIDE_THE_DOCUMENT.some((pattern) => pattern.test(path));
}

/**
 * Express matches routes case-insensitively and with or without a trailing slash, so the same
 * request reaches the same operation here.
 */
const PATHS: PathEntry[] = Object.entries(document.paths).map(([template, operations]) => ({
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
  operations,
}));

/** The document's components, as one schema the response schemas refer into. */
const COMPONENTS_ID = 'https://bailian-chat.invalid/openapi.json';

/**
 * The contract's zod objects strip keys they do not name, so a property the document does not
 * declare is one no generated client knows of (or a leak): objects are closed unless the schema
 * says otherwise (`additionalProperties: true`, as the passthrough chat completion does).
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, closed(value)]));
  if (typeof schema.$ref === 'string') schema.$ref = schema.$ref.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`);
  if (schema.properties && !('additionalProperties' in schema)) schema.additionalProperties = false;
  // An OpenAPI discriminator picks among objects; Ajv's strict mode wants the type said (and warns on every compile otherwise).
  if (schema.discriminator && !('type' in schema)) schema.type = 'object';
  return schema;
}

let ajv: Ajv | undefined;
const validators = new Map<object, ValidateFunction>();

/** Ajv with the document's components, built once per process on first use; each schema compiled once. */
function validatorFor(schema: object): ValidateFunction {
  if (!ajv) {
    // Strict (the default): a keyword of the document that Ajv does not know is an error, not a pass.
    // Of OpenAPI 3.0's own, Ajv knows `nullable`, and `discriminator` once asked to.
    ajv = new Ajv({ allErrors: true, discriminator: true });
    // ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
    ajvFormats.default(ajv);
    ajv.addSchema({ $id: COMPONENTS_ID, $defs: closed(document.components.schemas) });
  }
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(closed(schema) as object);
    validators.set(schema, validate);
  }
  return validate;
}

/** What a body must be on a path the document does not have: our envelope, with code == status. */
const ENVELOPE = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
  required: ['code', 'message', 'data'],
  additionalProperties: false,
};

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]!.trim().toLowerCase() || undefined;
}

function pathOf(url: string): string {
  return url.split('?')[0]!;
}

/** What is wrong with `answer` for a client built from openapi.json; empty when nothing is. */
export function answerProblems(answer: Answer): string[] {
  const path = pathOf(answer.url);
  if (outsideTheDocument(path, answer.status)) return [];
  // A CORS preflight (CORS_ORIGINS set) is the browser's question, answered by the cors middleware:
  // 204 and headers, no body, on any path.
  if (answer.method.toUpperCase() === 'OPTIONS' && answer.status === 204) {
    return answer.body?.length ? ['a 204 answer to a preflight has a body'] : [];
  }
  // A HEAD answer is the GET answer's status and headers without the body.
  const isHead = answer.method.toUpperCase() === 'HEAD';
  const method = isHead ? 'get' : answer.method.toLowerCase();
  const operation = PATHS.find((entry) => entry.pattern.test(path))?.operations[method];
  if (!operation) return jsonProblems(answer, ENVELOPE, isHead);
  const response = operation.responses[String(answer.status)];
  if (!response) return [`status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
  const mediaType = mediaTypeOf(answer.contentType);
  const declared = response.content ?? {};
  if (!mediaType || !(mediaType in declared)) {
    return [`content type ${answer.contentType ?? '(none)'} is not declared for ${answer.status} (declared: ${Object.keys(declared).join(', ') || 'none'})`];
  }
  if (mediaType === 'text/event-stream') return isHead ? [] : eventStreamProblems(answer, declared[mediaType]!['x-itemSchema']);
  const schema = declared[mediaType]!.schema;
  return schema ? jsonProblems(answer, schema, isHead) : [];
}

function jsonProblems(answer: Answer, schema: object, isHead: boolean): string[] {
  if (mediaTypeOf(answer.contentType) !== 'application/json') return [`content type ${answer.contentType ?? '(none)'} is not application/json`];
  // A body cut short is a broken connection, not an answer in some other shape.
  if (isHead || !answer.complete || !answer.body) return [];
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return [`body is not JSON: ${answer.body.toString('utf8').slice(0, 200)}`];
  }
  const validate = validatorFor(schema);
  const problems = validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `body${e.instancePath || ''} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  // Every answer's code is its HTTP status (the document says so; one schema per status cannot).
  const code = (body as { code?: unknown } | null)?.code;
  if (code !== answer.status) problems.push(`body code ${JSON.stringify(code)} is not the status ${answer.status}`);
  return problems;
}

/** Each `data:` frame of a stream, but the closing `[DONE]`, is JSON that `itemSchema` (the document's frame schema) accepts. */
function eventStreamProblems(answer: Answer, itemSchema: object | undefined): string[] {
  if (!answer.body) return [];
  if (!itemSchema) return ['the document says nothing of what a stream frame holds'];
  const validate = validatorFor(itemSchema);
  const events = answer.body.toString('utf8').split('\n\n');
  // What follows the last blank line is an event still incomplete (or nothing).
  return events.slice(0, -1).flatMap((event) => {
    const data = event
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '' || data === '[DONE]') return [];
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return [`stream frame is not JSON: ${data.slice(0, 200)}`];
    }
    if (validate(frame)) return [];
    return (validate.errors ?? []).map((e) => `stream frame ${data.slice(0, 200)}: ${e.instancePath || 'frame'} ${e.message ?? e.keyword}`);
  });
}
