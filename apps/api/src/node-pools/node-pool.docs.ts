import { LARGE_PAGES } from '../kinds/kind-docs';
import type { KindRouteDocs } from '../kinds/kind-routes';

/** The node pool routes under a cluster, with the reference contract's operation ids. */
export const NODE_POOL_DOCS: KindRouteDocs = {
  tag: 'nodepools',
  list: { operationId: 'getNodePoolsByClusterId', summary: "List a cluster's node pools", description: `Node pools marked for deletion are included; removed ones are not.${LARGE_PAGES}` },
  create: { operationId: 'createNodePool', summary: 'Create a node pool in a cluster', description: 'Starts with Reconciled=False and LastKnownReconciled=False until the required adapters report.' },
  get: { operationId: 'getNodePoolById', summary: 'Get a node pool' },
  patch: { operationId: 'patchNodePoolById', summary: 'Change spec and/or labels', description: 'Each given field replaces the stored one whole. generation grows by one when something really changed.' },
  delete: { operationId: 'deleteNodePoolById', summary: 'Request deletion', description: 'Marks the node pool for deletion (idempotent). It stays readable until adapters finalize or a force-delete removes it.' },
  forceDelete: { operationId: 'forceDeleteNodePool', summary: 'Remove a node pool marked for deletion now', description: 'Removes the node pool, its statuses and labels without waiting for adapters.' },
};

/** The flat node pool routes (by id alone, as the original serves them for every child kind). */
export const NODE_POOL_FLAT_DOCS: KindRouteDocs = {
  tag: 'nodepools',
  list: { operationId: 'getNodePools', summary: 'List the node pools of all clusters', description: `Search with \`owner_id\` to narrow them to one cluster.${LARGE_PAGES}` },
  create: { operationId: 'createNodePoolFlat', summary: 'Not allowed: node pools are created under their cluster (422)' },
  get: { operationId: 'getNodePoolByIdFlat', summary: 'Get a node pool by its id alone' },
  patch: { operationId: 'patchNodePoolByIdFlat', summary: 'Change spec and/or labels of a node pool by its id alone' },
  delete: { operationId: 'deleteNodePoolByIdFlat', summary: 'Request deletion of a node pool by its id alone' },
  forceDelete: { operationId: 'forceDeleteNodePoolFlat', summary: 'Remove a node pool marked for deletion now, by its id alone' },
};
