import { DeletePolicy, KindStorage } from './resource-kind';

/** Required adapters of Cluster when neither `adapters.cluster` nor an `entities` entry says otherwise (CONTRACT D8). */
export const DEFAULT_CLUSTER_ADAPTERS: readonly string[] = Object.freeze(['validation', 'dns', 'pullsecret', 'hypershift']);
/** Required adapters of NodePool when neither `adapters.nodepool` nor an `entities` entry says otherwise (CONTRACT D8). */
export const DEFAULT_NODEPOOL_ADAPTERS: readonly string[] = Object.freeze(['validation', 'hypershift']);

/** Name limits of a kind whose entry gives none (R1.2: the shared table's name column holds 100 characters). */
export const DEFAULT_NAME_MIN = 1;
export const DEFAULT_NAME_MAX = 100;

/** The table every configured kind shares. */
export const SHARED_STORAGE: KindStorage = Object.freeze({ table: 'resources', shared: true });

/** A kind that is always declared: its table is its own, so its plural and parent cannot change. */
export interface BuiltInKind {
  readonly kind: string;
  readonly plural: string;
  readonly parentKind?: string;
  readonly onParentDelete: DeletePolicy;
  readonly requiredAdapters: readonly string[];
  readonly nameMin: number;
  readonly nameMax: number;
  readonly storage: KindStorage;
}

/** Cluster and NodePool with their defaults (CONTRACT D13, §8.3 shipped list), in registry order. */
export const BUILT_IN_KINDS: readonly BuiltInKind[] = Object.freeze([
  Object.freeze({ kind: 'Cluster', plural: 'clusters', onParentDelete: 'cascade', requiredAdapters: DEFAULT_CLUSTER_ADAPTERS, nameMin: 3, nameMax: 53, storage: Object.freeze({ table: 'clusters', shared: false }) }),
  Object.freeze({ kind: 'NodePool', plural: 'nodepools', parentKind: 'Cluster', onParentDelete: 'cascade', requiredAdapters: DEFAULT_NODEPOOL_ADAPTERS, nameMin: 3, nameMax: 15, storage: Object.freeze({ table: 'node_pools', shared: false }) }),
]);
