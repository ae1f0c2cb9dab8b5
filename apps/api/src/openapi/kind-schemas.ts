import { ConfigError, KindRegistry, ReferenceType, ResourceKind, SpecSchemas } from '@app/config';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { aggregateConditions, ResourceCondition } from '@app/common';
import { API_BASE, hrefOf } from '@app/persistence';
import { NAME_PATTERN } from '../kinds/dto/validators';
import { schemaRef } from '../kinds/http';
import { itemPath, openApiPath } from '../kinds/kind-routes';

type Schema = SchemaObject | ReferenceObject;

/** The component schemas of one kind, by role: `<Kind>`, `<Kind>CreateRequest`, … and its spec schema. */
interface KindSchemaNames {
  item: string;
  create: string;
  patch: string;
  list: string;
  status: string;
  spec: string;
}

/** The names of a kind's component schemas (the reference's for Cluster and NodePool; CONTRACT D13). */
function kindSchemaNames(kind: ResourceKind): KindSchemaNames {
  return {
    item: kind.kind,
    create: `${kind.kind}CreateRequest`,
    patch: `${kind.kind}PatchRequest`,
    list: kind.listKind,
    status: `${kind.kind}Status`,
    spec: kind.specSchemaName,
  };
}

/** The schemas of the generic `/resources` API and the pieces every kind's schemas share. */
const SHARED_SCHEMA_NAMES = ['Resource', 'ResourceCreateRequest', 'ResourcePatchRequest', 'ResourceList', 'ResourceStatus', 'ResourceCondition', 'ResourceConditionStatus', 'ObjectReference'] as const;

// Label rules of libs/common/src/api/labels.ts, as far as a schema can say them (OpenAPI 3.0 has no propertyNames).
const LABEL_VALUE = { type: 'string', maxLength: 63, pattern: '^([a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?)?$' };
const LABEL_RULES =
  'Keys are `[prefix/]name`: a name of 1–63 letters, digits, `-`, `_` and `.` (starting and ending with a letter or digit), ' +
  'an optional prefix a DNS subdomain; values are empty or up to 63 such characters.';

const ID_EXAMPLE = '019466a0-8f8e-7abc-9def-0123456789ab';
const CREATED_EXAMPLE = '2026-01-01T10:00:00.000Z';
const REPORTED_EXAMPLE = '2026-01-01T10:01:30.000Z';
const CALLER_EXAMPLE = 'user-123@example.com';
const LABELS_EXAMPLE = { environment: 'production', team: 'platform' };

const string = (description: string, more: SchemaObject = {}): SchemaObject => ({ type: 'string', ...more, description });
const time = (description: string): SchemaObject => string(description, { format: 'date-time' });
const int32 = (description: string, more: SchemaObject = {}): SchemaObject => ({ type: 'integer', format: 'int32', ...more, description });
const object = (properties: Record<string, Schema>, required: string[], more: SchemaObject = {}): SchemaObject => ({ type: 'object', required, properties, ...more });

/** The example id of the resource at `depth` above an example resource (0: itself, 1: its parent, …). */
const exampleId = (depth: number): string => `${ID_EXAMPLE.slice(0, -2)}${(0xab - depth).toString(16)}`;

/** `Channel` → `channel-1` (`channel-<n>`), within the kind's name limits and matching the name pattern. */
export function exampleName(kind: ResourceKind, n = 1): string {
  const word = kind.kind.toLowerCase();
  let name = `${word}-${n}`;
  if (name.length > kind.nameMax) name = kind.nameMax >= 3 ? `${word.slice(0, kind.nameMax - 2)}-${n}` : word.slice(0, kind.nameMax);
  return name.padEnd(kind.nameMin, '0');
}

/** `[1, 1]` → "exactly 1", `[0, undefined]` → "any number" … of references of one type. */
function bounds(ref: ReferenceType): string {
  if (ref.max === ref.min) return `exactly ${ref.min}`;
  if (ref.max === undefined) return ref.min === 0 ? 'any number' : `at least ${ref.min}`;
  return ref.min === 0 ? `at most ${ref.max}` : `${ref.min} to ${ref.max}`;
}

/**
 * Builds the component schemas of every kind of `registry` (CONTRACT D13) and of the generic
 * `/resources` API, named as the reference contract names them: for a kind K `K`, `KCreateRequest`,
 * `KPatchRequest`, `KList`, `KStatus` and its spec schema (`KSpec`, or `spec_schema_name`; any object,
 * one component per name so that a deployed provider schema can take its place), then `Resource`,
 * `ResourceCreateRequest`, `ResourcePatchRequest`, `ResourceList`, `ResourceStatus`, `ResourceCondition`,
 * `ResourceConditionStatus` and `ObjectReference`. They describe what the API sends and accepts:
 * the kind's name limits, its parent (`owner_references`) and reference types, the list envelope with
 * `kind` (CONTRACT D6), and carry examples that are valid requests.
 *
 * With `deployed` (CONTRACT D14), a spec schema the deployment's document gives is served as written
 * there, with the components it refers to (one whose name the document already uses is served as
 * `<Name>_2`, its references rewritten), so that Swagger UI and generated clients see it.
 *
 * `taken` are names the document already uses. Throws ConfigError when a kind's schema name is taken
 * (by the API's own schemas or by another kind's, e.g. kinds `Foo` and `FooList`).
 */
export function kindSchemas(registry: KindRegistry, taken: Iterable<string> = [], deployed?: SpecSchemas): Record<string, SchemaObject> {
  const takenNames = [...taken];
  checkNames(registry, takenNames);
  const schemas: Record<string, SchemaObject> = {};
  for (const [name, kinds] of specSchemaOwners(registry)) schemas[name] = specSchema(kinds);
  for (const kind of registry.all()) {
    const names = kindSchemaNames(kind);
    schemas[names.item] = resourceSchema(kind, registry);
    schemas[names.create] = createRequestSchema(kind);
    schemas[names.patch] = patchRequestSchema(kind);
    schemas[names.list] = listSchema(names.list, names.item, 'int32', `A page of ${kind.kind} resources (newest first unless \`order\` says otherwise).`);
    schemas[names.status] = statusSchema(kind);
  }
  schemas.Resource = genericResourceSchema(registry);
  schemas.ResourceCreateRequest = genericCreateRequestSchema(registry);
  schemas.ResourcePatchRequest = genericPatchRequestSchema(registry);
  // the reference counts all resources in an int64
  schemas.ResourceList = listSchema('ResourceList', 'Resource', 'int64', 'A page of resources of any kind.');
  schemas.ResourceStatus = {
    ...object({ conditions: { type: 'array', items: schemaRef('ResourceCondition'), description: 'Conditions computed from adapter reports (see the status of each kind).' } }, ['conditions']),
    description: 'Status of a resource of any kind, computed by the service from adapter reports; it cannot be written.',
  };
  schemas.ResourceCondition = conditionSchema();
  schemas.ResourceConditionStatus = {
    type: 'string',
    enum: ['True', 'False', 'Unknown'],
    description: 'Status of a condition: the service\u2019s own conditions are True or False; a mapped condition is Unknown while its rule fails to evaluate (reason ConditionMappingError).',
  };
  schemas.ObjectReference = {
    ...object(
      {
        id: string('Identifier of the resource referred to.'),
        kind: string('Kind of the resource referred to.'),
        href: string('URI of the resource referred to (always in responses; ignored in requests).'),
      },
      ['id', 'kind'],
    ),
    description: 'A reference to another resource.',
  };
  if (deployed) Object.assign(schemas, deployed.servedSchemas(new Set([...takenNames, ...Object.keys(schemas)])));
  return schemas;
}

/**
 * Each schema name has one owner: the API's own schemas (`taken`), the generic API's, each kind's; kinds
 * may share a spec schema (spec_schema_name). Throws ConfigError with one problem per kind whose names are taken.
 */
function checkNames(registry: KindRegistry, taken: Iterable<string>): void {
  const owners = new Map<string, string>();
  for (const name of taken) owners.set(name, 'a schema of the API itself');
  for (const name of SHARED_SCHEMA_NAMES) owners.set(name, 'the generic /resources API');
  const problems: string[] = [];
  const claim = (names: string[], owner: string, remedy: string) => {
    const clashes = names.filter((name) => owners.has(name)).map((name) => `'${name}' (${owners.get(name)})`);
    if (clashes.length) problems.push(`entities: ${owner}: OpenAPI schema ${clashes.length > 1 ? 'names' : 'name'} ${clashes.join(', ')} already taken; ${remedy}`);
    for (const name of names) if (!owners.has(name)) owners.set(name, owner);
  };
  for (const kind of registry.all()) {
    const { item, create, patch, list, status } = kindSchemaNames(kind);
    claim([item, create, patch, list, status], `kind ${kind.kind}`, 'rename the kind');
  }
  for (const [name, kinds] of specSchemaOwners(registry)) claim([name], `the spec schema of ${kinds.map((k) => k.kind).join(', ')}`, 'choose another spec_schema_name');
  if (problems.length) throw new ConfigError(problems);
}

/** Spec schema names with the kinds whose spec they validate (kinds may share one through spec_schema_name). */
function specSchemaOwners(registry: KindRegistry): Map<string, ResourceKind[]> {
  const owners = new Map<string, ResourceKind[]>();
  for (const kind of registry.all()) owners.set(kind.specSchemaName, [...(owners.get(kind.specSchemaName) ?? []), kind]);
  return owners;
}

function specSchema(kinds: ResourceKind[]): SchemaObject {
  const whose = kinds.map((k) => k.kind).join(' and ');
  return {
    type: 'object',
    additionalProperties: true,
    description: `Specification of ${whose} resources: provider-specific, any JSON object. Adapters read it; the service stores it as given.`,
  };
}

/** What makes generation grow (CONTRACT R3.2, R5.1; KindsService.patch and markForDeletion). */
const generationText = (references: boolean): string =>
  `Starts at 1 and grows by one with every real change of spec or labels${references ? ', with every PATCH that gives references' : ''}, and once when deletion is requested.`;

const labelsSchema = (description: string): SchemaObject => ({ type: 'object', additionalProperties: LABEL_VALUE, description: `${description} ${LABEL_RULES}` });

function nameSchema(kind: ResourceKind): SchemaObject {
  const scope = kind.parent ? `among its ${kind.parent.kind}'s ${kind.kind} resources` : `among ${kind.kind} resources`;
  return string(`${kind.kind} name, unique ${scope} not marked for deletion: ${kind.nameMin}–${kind.nameMax} lowercase letters, digits and inner hyphens.`, {
    minLength: kind.nameMin,
    maxLength: kind.nameMax,
    pattern: NAME_PATTERN.source,
  });
}

const ownerReferenceSchema = (kind: ResourceKind): Schema => ({
  allOf: [schemaRef('ObjectReference')],
  description: `The ${kind.parent!.kind} owning this ${kind.kind}: its id, kind \`${kind.parent!.kind}\` and href.`,
});

/** `references` of a response: the declared types only, each a list of ObjectReference. */
function referencesSchema(kind: ResourceKind): SchemaObject {
  const properties = Object.fromEntries(
    kind.references.map((ref): [string, Schema] => [ref.refType, { type: 'array', items: schemaRef('ObjectReference'), description: `${ref.targetKind} resources this ${kind.kind} refers to as \`${ref.refType}\` (${bounds(ref)}).` }]),
  );
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    description: `Non-ownership references to other resources, by reference type (${kind.references.map((r) => `\`${r.refType}\` → ${r.targetKind}`).join(', ')}); left out when there are none, as once the resource is marked for deletion.`,
  };
}

/** `references` of a create or PATCH body: each declared type with its target kind and bounds; any other type is refused (400). */
function referencesRequestSchema(kind: ResourceKind, patch: boolean): SchemaObject {
  const properties = Object.fromEntries(
    kind.references.map((ref): [string, Schema] => [
      ref.refType,
      {
        type: 'array',
        items: object({ id: string(`Id of a ${ref.targetKind} that is not marked for deletion.`), kind: string('Kind of the target.', { enum: [ref.targetKind] }), href: string('Ignored.') }, ['id', 'kind']),
        ...(ref.min > 0 ? { minItems: ref.min } : {}),
        ...(ref.max !== undefined ? { maxItems: ref.max } : {}),
        description: `${ref.targetKind} resources to refer to as \`${ref.refType}\`: ${bounds(ref)}, no id twice.`,
      },
    ]),
  );
  const required = kind.references.filter((r) => r.min > 0).map((r) => r.refType);
  const what = patch ? 'Replaces the stored references whole' : 'References to other resources, by reference type';
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    description: `${what}. Each target must exist and not be marked for deletion; a referenced resource cannot be deleted while referred to.`,
  };
}

/** The audit members every resource body has, in wire order. */
const auditFields = (): Record<string, Schema> => ({
  created_time: time('When the resource was created.'),
  updated_time: time('When the resource was last changed.'),
  created_by: string('Identity that created the resource.'),
  updated_by: string('Identity that last changed the resource.'),
  deleted_time: time('When deletion was requested; left out while not marked for deletion.'),
  deleted_by: string('Identity that requested deletion; left out while not marked for deletion.'),
});

/** The body of a resource of `kind` as the API sends it (presentResource and its SQL rendering): members in wire order. */
function resourceSchema(kind: ResourceKind, registry: KindRegistry): SchemaObject {
  const names = kindSchemaNames(kind);
  const properties: Record<string, Schema> = {
    id: string('Resource identifier (UUIDv7).'),
    kind: string(`Resource kind: always \`${kind.kind}\`.`, { enum: [kind.kind] }),
    href: string(`Resource URI: \`${API_BASE}/${openApiPath(itemPath(kind))}\`.`),
    name: nameSchema(kind),
    spec: schemaRef(names.spec),
    labels: labelsSchema('Labels; left out when the resource has none.'),
    generation: int32(generationText(kind.references.length > 0), { minimum: 1 }),
    status: schemaRef(names.status),
    ...auditFields(),
  };
  const required = ['id', 'kind', 'href', 'name', 'spec', 'generation', 'status', 'created_time', 'updated_time', 'created_by', 'updated_by'];
  if (kind.parent) {
    properties.owner_references = ownerReferenceSchema(kind);
    required.push('owner_references');
  }
  if (kind.references.length) properties.references = referencesSchema(kind);
  const deletion = kind.requiredAdapters.length
    ? 'After DELETE it stays readable, marked for deletion, until its required adapters report Finalized=True or a force-delete removes it.'
    : 'It has no required adapters: DELETE removes it at once (unless children marked for deletion remain).';
  return { ...object(properties, required), description: `A ${kind.kind}${kind.parent ? `, owned by a ${kind.parent.kind}` : ''}. ${deletion}`, example: resourceExample(kind, registry) };
}

function createRequestSchema(kind: ResourceKind): SchemaObject {
  const names = kindSchemaNames(kind);
  const properties: Record<string, Schema> = {
    id: string('Ignored: the server assigns ids.'),
    kind: string(`Must be \`${kind.kind}\`.`, { enum: [kind.kind] }),
    href: string('Ignored: the server assigns hrefs.'),
    name: nameSchema(kind),
    spec: schemaRef(names.spec),
    labels: labelsSchema('Labels of the new resource.'),
  };
  const required = ['kind', 'name', 'spec'];
  if (kind.references.length) {
    properties.references = referencesRequestSchema(kind, false);
    if (kind.references.some((r) => r.min > 0)) required.push('references');
  }
  const where = kind.parent ? ` under its ${kind.parent.kind} (\`POST ${API_BASE}/${openApiPath(itemPath(kind.parent))}/${kind.plural}\`)` : '';
  const replace = kind.references.some((r) => r.min > 0) ? ' The example\u2019s reference ids stand for existing resources: put real ones in.' : '';
  return {
    ...object(properties, required),
    description: `Body of a request creating a ${kind.kind}${where}. Other properties are ignored.${replace}`,
    example: createExample(kind),
  };
}

function patchRequestSchema(kind: ResourceKind): SchemaObject {
  const names = kindSchemaNames(kind);
  const properties: Record<string, Schema> = { spec: schemaRef(names.spec), labels: labelsSchema('Replaces the whole label set (`{}` removes every label).') };
  if (kind.references.length) properties.references = referencesRequestSchema(kind, true);
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    minProperties: 1,
    description: `Body of a PATCH of a ${kind.kind}: ${Object.keys(properties).map((p) => `\`${p}\``).join(', ')}, at least one; each replaces the stored value whole. Any other property is refused (400).`,
    example: { labels: { environment: 'staging' } },
  };
}

function listSchema(listKind: string, item: string, totalFormat: 'int32' | 'int64', description: string): SchemaObject {
  return {
    ...object(
      {
        kind: string(`Always \`${listKind}\` (kept for older clients).`, { enum: [listKind] }),
        page: int32('The page returned (the `page` asked for).'),
        size: int32('Number of items in this page.'),
        total: { type: 'integer', format: totalFormat, description: 'Number of all matches.' },
        items: { type: 'array', items: schemaRef(item) },
      },
      ['kind', 'page', 'size', 'total', 'items'],
    ),
    description,
  };
}

function statusSchema(kind: ResourceKind): SchemaObject {
  const adapters = kind.requiredAdapters;
  const conditions: SchemaObject = adapters.length
    ? {
        type: 'array',
        items: schemaRef('ResourceCondition'),
        minItems: 2,
        description:
          `Always \`Reconciled\` and \`LastKnownReconciled\`, from the moment the ${kind.kind} is created, then one \`<Adapter>Successful\` per required adapter ` +
          `(${adapters.join(', ')}) that has reported, in that order.`,
      }
    : {
        type: 'array',
        items: schemaRef('ResourceCondition'),
        description: `${kind.kind} has no required adapters: empty until an adapter reports, then \`Reconciled\` and \`LastKnownReconciled\`.`,
      };
  return {
    ...object({ conditions }, ['conditions']),
    description: `Status of a ${kind.kind}, computed by the service from the reports of adapters (\`PUT …/statuses\`); it cannot be written.`,
  };
}

function conditionSchema(): SchemaObject {
  return {
    ...object(
      {
        type: string('Condition type: `Reconciled`, `LastKnownReconciled`, `<Adapter>Successful`, or the type of a condition mapping rule of the kind (`conditions:` of its entity entry).'),
        status: schemaRef('ResourceConditionStatus'),
        reason: string('Machine-readable reason code.'),
        message: string('Human-readable message.'),
        observed_generation: int32('Generation of the resource this condition reflects.'),
        created_time: time('When this condition was first created (API-managed).'),
        last_updated_time: time('When the corresponding adapter last reported (API-managed).'),
        last_transition_time: time('When this condition last changed status (API-managed).'),
      },
      ['type', 'status', 'observed_generation', 'created_time', 'last_updated_time', 'last_transition_time'],
    ),
    description: 'A condition computed from adapter reports: aggregated by the service, or mapped by a configured CEL rule (listed after the others, by type).',
  };
}

/** Every kind's body in one schema: what `/resources` answers. */
function genericResourceSchema(registry: KindRegistry): SchemaObject {
  const kinds = registry.all();
  const children = kinds.filter((k) => k.parent);
  const withReferences = kinds.filter((k) => k.references.length);
  const properties: Record<string, Schema> = {
    id: string('Resource identifier (UUIDv7).'),
    kind: string('Resource kind.', { enum: kinds.map((k) => k.kind) }),
    href: string('Resource URI: the item path of its kind (under its owners for a child kind).'),
    name: genericNameSchema(kinds),
    spec: { type: 'object', additionalProperties: true, description: 'Specification: any JSON object (the spec schema of the resource\u2019s kind).' },
    labels: labelsSchema('Labels; left out when the resource has none.'),
    generation: int32(generationText(kinds.some((k) => k.references.length > 0)), { minimum: 1 }),
    status: schemaRef('ResourceStatus'),
    ...auditFields(),
    owner_references: {
      allOf: [schemaRef('ObjectReference')],
      description: children.length ? `The owner of a resource of a child kind (${children.map((k) => `${k.kind} → ${k.parent!.kind}`).join(', ')}); left out for other kinds.` : 'The owner of a resource of a child kind; no kind has a parent here.',
    },
    references: {
      type: 'object',
      additionalProperties: { type: 'array', items: schemaRef('ObjectReference') },
      description: `References to other resources, by reference type; left out when there are none.${withReferences.length ? ` Kinds with reference types: ${withReferences.map((k) => `${k.kind} (${k.references.map((r) => `\`${r.refType}\` → ${r.targetKind}`).join(', ')})`).join(', ')}.` : ''}`,
    },
  };
  const example = exampleKind(registry);
  return {
    ...object(properties, ['id', 'kind', 'href', 'name', 'spec', 'generation', 'status', 'created_time', 'updated_time', 'created_by', 'updated_by']),
    description: 'A resource of any kind, as its kind\u2019s own routes present it.',
    example: resourceExample(example, registry),
  };
}

function genericCreateRequestSchema(registry: KindRegistry): SchemaObject {
  const roots = registry.roots();
  return {
    ...object(
      {
        kind: string('Kind of the new resource: a root kind (a child kind is created under its parent, 422 here).', { enum: roots.map((k) => k.kind) }),
        name: genericNameSchema(roots),
        spec: { type: 'object', additionalProperties: true, description: 'Specification: any JSON object (the spec schema of the kind).' },
        labels: labelsSchema('Labels of the new resource.'),
        references: {
          type: 'object',
          additionalProperties: { type: 'array', items: schemaRef('ObjectReference') },
          description: 'References to other resources, by reference type: only the types the kind declares, within their bounds (see the kind\u2019s own CreateRequest schema).',
        },
      },
      ['kind', 'name', 'spec'],
    ),
    description: 'Body of `POST /resources`: a resource of any root kind, checked as the kind\u2019s own create is. Other properties are ignored.',
    // another name than the kind's own create example, so that Swagger UI can send both
    example: { ...createExample(exampleKind(registry)), name: exampleName(exampleKind(registry), 2) },
  };
}

function genericPatchRequestSchema(registry: KindRegistry): SchemaObject {
  const withReferences = registry.all().filter((k) => k.references.length);
  return {
    type: 'object',
    properties: {
      spec: { type: 'object', additionalProperties: true, description: 'Replaces the whole spec.' },
      labels: labelsSchema('Replaces the whole label set (`{}` removes every label).'),
      references: {
        type: 'object',
        additionalProperties: { type: 'array', items: schemaRef('ObjectReference') },
        description: `Replaces the stored references whole; only for kinds with reference types (${withReferences.length ? withReferences.map((k) => k.kind).join(', ') : 'none here'}), refused (400) for the others.`,
      },
    },
    additionalProperties: false,
    minProperties: 1,
    description: 'Body of `PATCH /resources/{resource_id}`: at least one member; each replaces the stored value whole. Any other property is refused (400).',
    example: { labels: { environment: 'staging' } },
  };
}

/** A name of any of `kinds`: the widest limits, each kind's own in the description. */
function genericNameSchema(kinds: readonly ResourceKind[]): SchemaObject {
  return string(`Resource name: lowercase letters, digits and inner hyphens, within the limits of its kind (${kinds.map((k) => `${k.kind} ${k.nameMin}–${k.nameMax}`).join(', ')} characters).`, {
    minLength: Math.min(...kinds.map((k) => k.nameMin)),
    maxLength: Math.max(...kinds.map((k) => k.nameMax)),
    pattern: NAME_PATTERN.source,
  });
}

/** The kind the generic examples show: a configured root kind when there is one, one whose create needs no references if possible. */
function exampleKind(registry: KindRegistry): ResourceKind {
  const roots = registry.roots();
  const free = roots.filter((k) => !k.references.some((r) => r.min > 0));
  return free.find((k) => !k.builtIn) ?? free[0] ?? roots[0];
}

/** References of an example body: the fewest each type needs (one for an optional type), to example targets; with hrefs as responses show them when `registry` is given. */
function referencesExample(references: readonly ReferenceType[], registry?: KindRegistry): Record<string, { id: string; kind: string; href?: string }[]> {
  let n = 0;
  return Object.fromEntries(
    references.map((ref) => [
      ref.refType,
      Array.from({ length: Math.max(ref.min, 1) }, () => {
        const id = `${ID_EXAMPLE.slice(0, -4)}${String(++n).padStart(4, '0')}`;
        // a reference's href is its target's flat item path, as presentResource writes it
        const target = registry?.get(ref.targetKind);
        return target ? { id, kind: ref.targetKind, href: `${API_BASE}/${target.plural}/${id}` } : { id, kind: ref.targetKind };
      }),
    ]),
  );
}

/** A valid create body: the kind, a name within its limits, an empty spec, labels, and the references it needs. */
function createExample(kind: ResourceKind): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: kind.kind, name: exampleName(kind), spec: {}, labels: LABELS_EXAMPLE };
  const needed = kind.references.filter((r) => r.min > 0);
  if (needed.length) body.references = referencesExample(needed);
  return body;
}

/** A resource of `kind` as the API presents it after each required adapter reported Available=True. */
function resourceExample(kind: ResourceKind, registry: KindRegistry): Record<string, unknown> {
  const owners: string[] = [];
  for (let owner = kind.parent, depth = 1; owner; owner = owner.parent, depth++) owners.push(exampleId(depth));
  const body: Record<string, unknown> = {
    id: exampleId(0),
    kind: kind.kind,
    href: hrefOf(kind, exampleId(0), owners),
    name: exampleName(kind),
    spec: {},
    labels: LABELS_EXAMPLE,
    generation: 1,
    status: { conditions: exampleConditions(kind) },
    created_time: CREATED_EXAMPLE,
    updated_time: CREATED_EXAMPLE,
    created_by: CALLER_EXAMPLE,
    updated_by: CALLER_EXAMPLE,
  };
  if (kind.parent) body.owner_references = { id: owners[0], kind: kind.parent.kind, href: hrefOf(kind.parent, owners[0], owners.slice(1)) };
  if (kind.references.length) body.references = referencesExample(kind.references, registry);
  return body;
}

/** The conditions the service computes once every required adapter reported Available=True for generation 1 (none for a kind without). */
function exampleConditions(kind: ResourceKind): ResourceCondition[] {
  if (kind.requiredAdapters.length === 0) return [];
  return aggregateConditions({
    generation: 1,
    refTime: CREATED_EXAMPLE,
    requiredAdapters: [...kind.requiredAdapters],
    statuses: kind.requiredAdapters.map((adapter) => ({
      adapter,
      observedGeneration: 1,
      conditions: [{ type: 'Available', status: 'True', reason: 'Ready', message: `${adapter} is available` }],
      lastReportTime: REPORTED_EXAMPLE,
    })),
    previous: [],
    deleting: false,
    hasActiveChildren: false,
  });
}
