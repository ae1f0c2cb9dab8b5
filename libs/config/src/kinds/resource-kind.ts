import type { CompiledConditionRule } from './condition-rules';

/** What happens to a kind's rows when their parent is deleted (CONTRACT §5.5 R5.2, R5.3). */
export type DeletePolicy = 'cascade' | 'restrict';

/** Where a kind's rows live (CONTRACT D13). */
export interface KindStorage {
  /** 'clusters' for Cluster, 'node_pools' for NodePool, 'resources' for every other kind. */
  readonly table: 'clusters' | 'node_pools' | 'resources';
  /** true for the shared `resources` table: rows carry `kind`, `owner_kind`, `href` and `owner_href` columns. */
  readonly shared: boolean;
}

/** A reference type a kind declares (CONTRACT §5.6): the key of a body's `references` map and its bounds. */
export interface ReferenceType {
  /** Key in a body's `references` map, e.g. 'channel'. */
  readonly refType: string;
  /** Kind name of the referenced resources. */
  readonly targetKind: string;
  /** Fewest references of this type a resource must hold; 0 = optional. */
  readonly min: number;
  /** Most references of this type; undefined = unlimited. */
  readonly max?: number;
}

/** A CEL condition-mapping rule (CONTRACT §5.9) as configured; `ResourceKind.rules` holds it compiled. */
export interface ConditionRule {
  readonly type: string;
  /** CEL expression text. */
  readonly when: string;
  /** CEL expression text. */
  readonly status: string;
  /** CEL expression text. */
  readonly reason: string;
  /** CEL expression text. */
  readonly message: string;
}

/**
 * One resource kind of the registry (CONTRACT D13): everything routes, statements, presenters and the
 * OpenAPI document need to know about it. Built once at start-up and deeply frozen.
 */
export interface ResourceKind {
  /** PascalCase kind name, e.g. 'Cluster'. */
  readonly kind: string;
  /** URL path segment, e.g. 'clusters'. */
  readonly plural: string;
  /** `${kind}List`. */
  readonly listKind: string;
  /** Path parameter name: kind lower-cased + '_id' ('cluster_id', 'nodepool_id', 'wifconfig_id'). */
  readonly idParam: string;
  /** The kind owning this one (`parent_kind` resolved); undefined for root kinds. */
  readonly parent?: ResourceKind;
  /** What happens to this kind's rows when its parent is deleted; 'cascade' when not given. */
  readonly onParentDelete: DeletePolicy;
  /** Kinds whose parent is this one, in declaration order. */
  readonly children: readonly ResourceKind[];
  /** Adapters that must report before a resource is Reconciled, in condition order. */
  readonly requiredAdapters: readonly string[];
  readonly nameMin: number;
  readonly nameMax: number;
  readonly references: readonly ReferenceType[];
  /** Kinds that declare a reference type targeting this kind. */
  readonly referencedBy: readonly { readonly kind: ResourceKind; readonly ref: ReferenceType }[];
  /** OpenAPI component validating `spec` (`spec_schema_name`, default `${kind}Spec`). */
  readonly specSchemaName: string;
  /** Whether a missing spec schema component stops start-up (CONTRACT D14). */
  readonly requireSpecSchema: boolean;
  readonly conditions: readonly ConditionRule[];
  /** `conditions` compiled (CEL programs), sorted by type: the order mapped conditions are written in (CONTRACT §5.8 B5). */
  readonly rules: readonly CompiledConditionRule[];
  readonly storage: KindStorage;
  /** Cluster and NodePool: always declared, with tables of their own. */
  readonly builtIn: boolean;
}

/** `{expression: <CEL text>}` of a raw condition rule. */
export interface ExpressionConfig {
  readonly expression: string;
}

/** A raw `conditions[]` entry, as the original's YAML writes it. */
export interface ConditionRuleConfig {
  readonly type: string;
  readonly when: ExpressionConfig;
  readonly output: { readonly status: ExpressionConfig; readonly reason: ExpressionConfig; readonly message: ExpressionConfig };
}

/** A raw `references[]` entry. */
export interface ReferenceConfig {
  readonly ref_type: string;
  readonly target_kind: string;
  readonly min?: number;
  readonly max?: number;
}

/**
 * One raw `entities[]` entry with the original's snake_case keys. This is the shape an entry is meant
 * to have; entries read from YAML or JSON text are checked key by key at start-up, so the registry
 * builder reports any other value as a problem instead of trusting this type.
 */
export interface EntityConfig {
  readonly kind: string;
  readonly plural?: string;
  readonly parent_kind?: string;
  readonly on_parent_delete?: DeletePolicy;
  readonly spec_schema_name?: string;
  readonly require_spec_schema?: boolean;
  readonly required_adapters?: readonly string[];
  readonly references?: readonly ReferenceConfig[];
  readonly conditions?: readonly ConditionRuleConfig[];
  readonly name_min_len?: number;
  readonly name_max_len?: number;
}
