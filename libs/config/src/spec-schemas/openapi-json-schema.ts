/*
 * OpenAPI schema objects → JSON Schema 2020-12, for Ajv (CONTRACT D14). OpenAPI 3.1 schemas already are
 * JSON Schema 2020-12; OpenAPI 3.0's differ in `nullable` and in the boolean `exclusiveMinimum` /
 * `exclusiveMaximum` of draft 4, and ignore the siblings of a `$ref`. Both keep their OpenAPI-only
 * annotations (example, xml, externalDocs, discriminator), which the validator registers as
 * annotations; `x-` extensions are dropped. Local `$ref`s (`#/components/schemas/Name…`) are pointed at
 * `#/$defs/Name…` of the bundle the validator compiles.
 */

/** OpenAPI's own keywords that say nothing about validity. */
export const OPENAPI_ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator'] as const;

const COMPONENT_REF = '#/components/schemas/';

/** Keywords whose value is a schema. */
const SCHEMA_VALUED = ['additionalProperties', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems'];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The component a local `$ref` names (`#/components/schemas/Foo/properties/x` → `Foo`), if it is one. */
export function componentOf(ref: string): string | undefined {
  if (!ref.startsWith(COMPONENT_REF)) return undefined;
  const name = ref.slice(COMPONENT_REF.length).split('/')[0];
  return name ? decodePointer(name) : undefined;
}

const decodePointer = (token: string): string => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Every `$ref` of a schema (not those inside examples, defaults or enums), with where it is
 * (`properties.network.$ref`).
 */
export function refsOf(schema: unknown, at = ''): { ref: string; at: string }[] {
  const found: { ref: string; at: string }[] = [];
  walk(schema, at, (node, where) => {
    if (typeof node.$ref === 'string') found.push({ ref: node.$ref, at: where ? `${where}.$ref` : '$ref' });
  });
  return found;
}

/** Calls `visit` on the schema and each of its sub-schemas. */
function walk(schema: unknown, at: string, visit: (node: Json, at: string) => void): void {
  if (!isObject(schema)) return;
  visit(schema, at);
  const join = (key: string) => (at ? `${at}.${key}` : key);
  for (const key of SCHEMA_VALUED) walk(schema[key], join(key), visit);
  for (const key of SCHEMA_LISTS) if (Array.isArray(schema[key])) (schema[key] as unknown[]).forEach((s, i) => walk(s, `${join(key)}.${i}`, visit));
  // OpenAPI 3.0 and draft 4 allowed a list of schemas under items
  if (Array.isArray(schema.items)) (schema.items as unknown[]).forEach((s, i) => walk(s, `${join('items')}.${i}`, visit));
  for (const key of SCHEMA_MAPS) if (isObject(schema[key])) for (const [name, s] of Object.entries(schema[key] as Json)) walk(s, `${join(key)}.${name}`, visit);
}

/**
 * A copy of one OpenAPI schema as JSON Schema 2020-12 (`openapi30`: the document is OpenAPI 3.0), with
 * local component references pointed at `#/$defs/…`.
 */
export function toJsonSchema(schema: unknown, openapi30: boolean): unknown {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) return schema;
  if (openapi30 && typeof schema.$ref === 'string') return { $ref: localRef(schema.$ref) };
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = localRef(value);
    else if (SCHEMA_VALUED.includes(key) && (isObject(value) || typeof value === 'boolean')) out[key] = toJsonSchema(value, openapi30);
    else if ((SCHEMA_LISTS.includes(key) || key === 'items') && Array.isArray(value)) out[key] = value.map((s) => toJsonSchema(s, openapi30));
    else if (SCHEMA_MAPS.includes(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s, openapi30)]));
    else out[key] = value;
  }
  if (openapi30) {
    fixExclusiveBound(out, 'exclusiveMinimum', 'minimum');
    fixExclusiveBound(out, 'exclusiveMaximum', 'maximum');
    // draft 4's list of item schemas is 2020-12's prefixItems
    if (Array.isArray(out.items)) {
      out.prefixItems = out.items;
      delete out.items;
    }
    if ('nullable' in out) return nullable(out);
  }
  return out;
}

/** `#/components/schemas/Foo/…` → `#/$defs/Foo/…`; any other reference is left for the caller to refuse. */
function localRef(ref: string): string {
  return ref.startsWith(COMPONENT_REF) ? `#/$defs/${ref.slice(COMPONENT_REF.length)}` : ref;
}

/** OpenAPI 3.0's `exclusiveMinimum: true` beside `minimum: n` is 2020-12's `exclusiveMinimum: n`. */
function fixExclusiveBound(schema: Json, exclusive: string, inclusive: string): void {
  if (typeof schema[exclusive] !== 'boolean') return;
  if (schema[exclusive] === true && typeof schema[inclusive] === 'number') {
    schema[exclusive] = schema[inclusive];
    delete schema[inclusive];
  } else delete schema[exclusive];
}

/**
 * OpenAPI 3.0's `nullable: true`: null is valid too (as the original's kin-openapi has it, with or without
 * a `type`). A single type becomes `[type, "null"]` (and an enum gains null); without a type the schema
 * becomes "null, or else the schema" (if/else, so that a value that is not null is reported against
 * the schema's own keywords).
 */
function nullable(schema: Json): Json {
  const allowNull = schema.nullable === true;
  delete schema.nullable;
  if (!allowNull) return schema;
  if (typeof schema.type === 'string') {
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    return schema;
  }
  return { if: { type: 'null' }, else: schema };
}

/** Every `format` a schema uses (to tell the validator about OpenAPI's own and unknown ones). */
export function formatsOf(schema: unknown): Set<string> {
  const formats = new Set<string>();
  walk(schema, '', (node) => {
    if (typeof node.format === 'string') formats.add(node.format);
  });
  return formats;
}
