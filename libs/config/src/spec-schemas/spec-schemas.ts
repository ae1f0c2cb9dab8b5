import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config-error';
import type { KindRegistry } from '../kinds/kind-registry';
import type { ResourceKind } from '../kinds/resource-kind';
import { DEFAULT_SPEC_SCHEMA_DOCUMENT } from './default-spec-schemas';
import { componentOf, formatsOf, OPENAPI_ANNOTATIONS, refsOf, toJsonSchema } from './openapi-json-schema';

/** One failing field of a spec: `spec.network.cidr`, what is wrong in words, and the schema keyword that failed. */
export interface SpecProblem {
  field: string;
  message: string;
  keyword: string;
}

/** Most fields a refused spec's answer lists (the rest are left out, so that an answer stays small). */
export const MAX_SPEC_PROBLEMS = 50;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

// the bundle the validator compiles: every component the kinds' schemas reach, under $defs
const BUNDLE_ID = 'urn:hyperfleet:spec-schemas';

/** OpenAPI's own formats, as OpenAPI means them (over ajv-formats' versions of some). */
const OPENAPI_FORMATS: Record<string, { type: 'number' | 'string'; validate: (value: never) => boolean }> = {
  // whether it is an integer is `type: integer`'s to say
  int32: { type: 'number', validate: (n: number) => n >= -2147483648 && n <= 2147483647 },
  int64: { type: 'number', validate: () => true },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: (s: string) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) },
  binary: { type: 'string', validate: () => true },
  password: { type: 'string', validate: () => true },
};

/**
 * The spec schemas of the kinds (CONTRACT D14, R1.4): the components of the OpenAPI document named by
 * `server.openapi_schema_path` (or of the bundled default), compiled once at start-up. Kinds without a
 * component accept any object (a warning says so), unless `require_spec_schema` made that a start-up error.
 */
export class SpecSchemas {
  constructor(
    /** Where the document came from: its path, or "the bundled default document". */
    readonly source: string,
    private readonly validators: ReadonlyMap<string, ValidateFunction>,
    /** The document's components the kinds' schemas use, as written (for the served OpenAPI document). */
    private readonly components: ReadonlyMap<string, Json>,
    /** Things an operator should know that do not stop the start-up. */
    readonly warnings: readonly string[],
  ) {
    Object.freeze(this);
  }

  /** Whether the document gives the kind's spec schema. */
  has(kind: ResourceKind): boolean {
    return this.validators.has(kind.specSchemaName);
  }

  /**
   * The fields of `spec` that break the kind's schema (at most MAX_SPEC_PROBLEMS, one entry per field, in
   * document order); none when it is valid or the kind has no schema.
   */
  check(kind: ResourceKind, spec: unknown): SpecProblem[] {
    const validate = this.validators.get(kind.specSchemaName);
    if (!validate || validate(spec)) return [];
    return describeErrors(validate.errors ?? []);
  }

  /**
   * The components to serve for the kinds' spec schemas (CONTRACT D14: the served document shows the
   * deployed schemas): each deployed spec schema under its name and every component they refer to, a
   * name already `taken` by the document given another one (`Name_2`, …) and the references rewritten.
   */
  servedSchemas(taken: ReadonlySet<string>): Record<string, Json> {
    const names = new Map<string, string>();
    for (const name of this.components.keys()) {
      let served = name;
      if (!this.validators.has(name)) for (let n = 2; taken.has(served) || [...names.values()].includes(served); n++) served = `${name}_${n}`;
      names.set(name, served);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (!isObject(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => {
          if (key !== '$ref' || typeof v !== 'string') return [key, rewrite(v)];
          const name = componentOf(v);
          return [key, name === undefined ? v : `#/components/schemas/${names.get(name)}${v.slice(`#/components/schemas/${encodeURIComponent(name)}`.length)}`];
        }),
      );
    };
    return Object.fromEntries([...this.components].map(([name, schema]) => [names.get(name)!, rewrite(schema) as Json]));
  }
}

/**
 * Reads and compiles the spec schemas: the document at `path` (YAML or JSON, OpenAPI 3.0 or 3.1; relative
 * to the working directory), or the bundled default when `path` is empty. `setting` names the key in
 * problems. Throws ConfigError naming the document and the component for every problem: an unreadable
 * document, a schema that is not valid, a reference that is not local, a missing component that a kind
 * requires (`require_spec_schema: true`).
 */
export function loadSpecSchemas(path: string | undefined, kinds: KindRegistry, setting: string): SpecSchemas {
  const source = path ? path : 'the bundled default document';
  const at = path ? `${setting}: ${path}` : `the bundled spec schema document`;
  let document: unknown = DEFAULT_SPEC_SCHEMA_DOCUMENT;
  if (path) {
    try {
      document = parseYaml(readFileSync(resolve(path), 'utf8'));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConfigError([`${at}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read as YAML or JSON (${e.message.split('\n')[0]})`}`]);
    }
  }
  if (!isObject(document) || typeof document.openapi !== 'string') throw new ConfigError([`${at}: not an OpenAPI document (no 'openapi' version at the top)`]);
  const version = document.openapi;
  if (!/^3\.[01]\./.test(version)) throw new ConfigError([`${at}: OpenAPI ${version} is not supported (3.0.x or 3.1.x)`]);
  const openapi30 = version.startsWith('3.0.');
  const components = isObject(document.components) && isObject(document.components.schemas) ? (document.components.schemas as Json) : {};

  const problems: string[] = [];
  const warnings: string[] = [];
  const owners = new Map<string, ResourceKind[]>();
  for (const kind of kinds.all()) owners.set(kind.specSchemaName, [...(owners.get(kind.specSchemaName) ?? []), kind]);
  const wanted: string[] = [];
  for (const [name, of] of owners) {
    if (Object.hasOwn(components, name)) wanted.push(name);
    else {
      const required = of.filter((k) => k.requireSpecSchema);
      const names = of.map((k) => k.kind).join(', ');
      if (required.length) problems.push(`${at}: has no component '${name}' (components.schemas), which ${required.map((k) => k.kind).join(', ')} requires (require_spec_schema: true)`);
      else warnings.push(`${source} has no component '${name}': the spec of ${names} is not checked (any object is accepted)`);
    }
  }

  // the components the wanted ones reach, checking every reference on the way
  const reached = new Map<string, Json>();
  const visit = (name: string) => {
    if (reached.has(name)) return;
    const schema = components[name];
    if (!isObject(schema) && typeof schema !== 'boolean') {
      problems.push(`${at}: components.schemas.${name} must be a schema object`);
      return;
    }
    reached.set(name, schema as Json);
    for (const { ref, at: where } of refsOf(schema)) {
      const target = componentOf(ref);
      if (target === undefined) problems.push(`${at}: components.schemas.${name}.${where} '${ref}' is not supported: only references to this document's components.schemas (#/components/schemas/…)`);
      else if (!Object.hasOwn(components, target)) problems.push(`${at}: components.schemas.${name}.${where} '${ref}' refers to a component that components.schemas does not have`);
      else visit(target);
    }
  };
  for (const name of wanted) visit(name);
  if (problems.length) throw new ConfigError(problems);

  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true, logger: false });
  addFormats(ajv);
  for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format as never);
  for (const keyword of OPENAPI_ANNOTATIONS) ajv.addKeyword(keyword);
  const $defs = Object.fromEntries([...reached].map(([name, schema]) => [name, toJsonSchema(schema, openapi30)]));
  for (const format of formatsOf({ $defs })) {
    if (ajv.formats[format]) continue;
    ajv.addFormat(format, true);
    warnings.push(`${source}: format '${format}' is not known to the validator and is not checked`);
  }
  const bundle = { $id: BUNDLE_ID, $defs };
  if (!ajv.validateSchema(bundle)) {
    // the first complaint about each place: the meta-schema's alternatives add vaguer ones
    const first = new Map<string, ErrorObject>();
    for (const e of ajv.errors ?? []) if (!first.has(e.instancePath)) first.set(e.instancePath, e);
    throw new ConfigError(
      [...first.values()].slice(0, 20).map((e) => `${at}: ${componentPath(e.instancePath)} ${e.message ?? 'is not valid'}${e.params.allowedValues ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`),
    );
  }
  try {
    ajv.addSchema(bundle);
  } catch (err) {
    throw new ConfigError([`${at}: the schemas cannot be compiled: ${(err as Error).message}`]);
  }
  const validators = new Map<string, ValidateFunction>();
  for (const name of wanted) {
    try {
      validators.set(name, ajv.compile({ $ref: `${BUNDLE_ID}#/$defs/${encodeURIComponent(name)}` }));
    } catch (err) {
      problems.push(`${at}: components.schemas.${name} (or a component it refers to) cannot be compiled: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return new SpecSchemas(source, validators, reached, warnings);
}

/** `/$defs/ClusterSpec/properties/x/type` → `components.schemas.ClusterSpec.properties.x.type`. */
function componentPath(pointer: string): string {
  const steps = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (steps[0] === '$defs') steps.splice(0, 1, 'components', 'schemas');
  return steps.join('.');
}

/** `/network/cidr` → `spec.network.cidr` (array items by index: `spec.pools.0.name`). */
function fieldOf(pointer: string, child?: string): string {
  const steps = pointer === '' ? [] : pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) steps.push(child);
  return ['spec', ...steps].join('.');
}

const article = (type: string): string => (type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`);
const quote = (value: unknown): string => JSON.stringify(value);

/** One failed keyword in words: the field it is about and what is wrong, or undefined to leave it out. */
function describe(e: ErrorObject): { field: string; message: string } | undefined {
  const p = e.params as Record<string, unknown>;
  const here = fieldOf(e.instancePath);
  switch (e.keyword) {
    case 'required':
      return { field: fieldOf(e.instancePath, p.missingProperty as string), message: 'is required' };
    case 'dependentRequired':
      return { field: fieldOf(e.instancePath, p.missingProperty as string), message: `is required when '${p.property as string}' is given` };
    case 'additionalProperties':
      return { field: fieldOf(e.instancePath, p.additionalProperty as string), message: 'is not an allowed property' };
    case 'unevaluatedProperties':
      return { field: fieldOf(e.instancePath, p.unevaluatedProperty as string), message: 'is not an allowed property' };
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return { field: here, message: `must be ${types.map(article).join(' or ')}` };
    }
    case 'enum':
      return { field: here, message: `must be one of ${(p.allowedValues as unknown[]).map(quote).join(', ')}` };
    case 'const':
      return { field: here, message: `must be ${quote(p.allowedValue)}` };
    case 'pattern':
      return { field: here, message: `must match the pattern ${p.pattern as string}` };
    case 'format':
      return { field: here, message: `must be a valid ${p.format as string}` };
    case 'minLength':
      return { field: here, message: `must be at least ${p.limit as number} characters long` };
    case 'maxLength':
      return { field: here, message: `must be at most ${p.limit as number} characters long` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than', exclusiveMaximum: 'less than' }[e.keyword];
      return { field: here, message: `must be ${words} ${p.limit as number}` };
    }
    case 'multipleOf':
      return { field: here, message: `must be a multiple of ${p.multipleOf as number}` };
    case 'minItems':
      return { field: here, message: `must have at least ${p.limit as number} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { field: here, message: `must have at most ${p.limit as number} item${p.limit === 1 ? '' : 's'}` };
    case 'uniqueItems':
      return { field: here, message: `must not hold the same item twice (items ${Math.min(p.i as number, p.j as number)} and ${Math.max(p.i as number, p.j as number)} are equal)` };
    case 'minProperties':
      return { field: here, message: `must have at least ${p.limit as number} propert${p.limit === 1 ? 'y' : 'ies'}` };
    case 'maxProperties':
      return { field: here, message: `must have at most ${p.limit as number} propert${p.limit === 1 ? 'y' : 'ies'}` };
    case 'propertyNames':
      return { field: fieldOf(e.instancePath, p.propertyName as string), message: 'is not an allowed property name' };
    case 'anyOf':
      return { field: here, message: 'must match at least one of the allowed shapes (anyOf)' };
    case 'oneOf':
      return { field: here, message: p.passingSchemas ? 'must match exactly one of the allowed shapes (oneOf), but matches several' : 'must match exactly one of the allowed shapes (oneOf)' };
    case 'not':
      return { field: here, message: 'must not match the excluded shape (not)' };
    case 'contains':
      return { field: here, message: 'must contain an item of the required shape (contains)' };
    case 'if':
    case 'false schema':
      // the failing branch of if/then/else reports its own fields; a false schema is "not allowed"
      return e.keyword === 'if' ? undefined : { field: here, message: 'is not allowed' };
    default:
      return { field: here, message: e.message ?? 'is not valid' };
  }
}

/**
 * The errors Ajv reported for the alternatives of an anyOf/oneOf that failed as a whole: they come just
 * before its own error, at its place or below (schema paths do not tell, as those inside a $ref start
 * at the component).
 */
function insideAlternatives(errors: ErrorObject[]): Set<ErrorObject> {
  const inside = new Set<ErrorObject>();
  errors.forEach((e, i) => {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return;
    for (let j = i - 1; j >= 0; j--) {
      const before = errors[j];
      if (inside.has(before) || !(before.instancePath === e.instancePath || before.instancePath.startsWith(`${e.instancePath}/`))) break;
      inside.add(before);
    }
  });
  return inside;
}

/**
 * Ajv's errors as one entry per field, in document order: the errors inside an anyOf/oneOf that failed
 * as a whole are left out (the anyOf/oneOf entry says it), messages of one field are joined, except that
 * a wrong type is all there is to say.
 */
function describeErrors(errors: ErrorObject[]): SpecProblem[] {
  const inside = insideAlternatives(errors);
  const byField = new Map<string, SpecProblem>();
  for (const e of errors) {
    if (inside.has(e)) continue;
    const described = describe(e);
    if (!described) continue;
    const known = byField.get(described.field);
    if (known) {
      if (known.keyword === 'type') continue;
      if (e.keyword === 'type') Object.assign(known, { message: described.message, keyword: 'type' });
      else if (!known.message.split('; ').includes(described.message)) known.message += `; ${described.message}`;
    } else if (byField.size < MAX_SPEC_PROBLEMS) byField.set(described.field, { ...described, keyword: e.keyword });
  }
  return [...byField.values()];
}
