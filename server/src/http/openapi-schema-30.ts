type Json = unknown;
type Schema = Record<string, Json>;

/**
 * @anatine/zod-openapi (under @ts-rest/open-api) writes two things the OpenAPI 3.0 schema dialect
 * does not have: `exclusiveMinimum: <number>` (JSON Schema 2019+; 3.0 wants a boolean beside
 * `minimum`) and `z.null()` as `{type: "string", format: "null"}`, which typed consumers would read
 * as `string | null`. This rewrites both, everywhere in the document, into their 3.0 spelling.
 */
export function toOpenApi30<T>(node: T): T {
  return rewrite(node) as T;
}

function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rewrite(value)])) as Schema;
  if (schema.format === 'null') return nullOnly(schema);
  return exclusiveBoundsAsFlags(schema);
}

/** OpenAPI 3.0's way to say "always null": a nullable schema whose only value is null. */
function nullOnly({ type: _type, format: _format, ...rest }: Schema): Schema {
  return { ...rest, type: 'object', nullable: true, enum: [null] };
}

function exclusiveBoundsAsFlags(schema: Schema): Schema {
  const result = { ...schema };
  if (typeof schema.exclusiveMinimum === 'number') {
    result.minimum = schema.exclusiveMinimum;
    result.exclusiveMinimum = true;
  }
  if (typeof schema.exclusiveMaximum === 'number') {
    result.maximum = schema.exclusiveMaximum;
    result.exclusiveMaximum = true;
  }
  return result;
}
