import { LARGE_PAGES } from '../kinds/kind-docs';
import type { KindRouteDocs } from '../kinds/kind-routes';

/** The cluster routes' documentation, with the reference contract's operation ids. */
export const CLUSTER_DOCS: KindRouteDocs = {
  tag: 'clusters',
  list: { operationId: 'getClusters', summary: 'List clusters', description: `Clusters marked for deletion are included (with \`deleted_time\`); removed ones are not.${LARGE_PAGES}` },
  create: { operationId: 'postCluster', summary: 'Create a cluster', description: 'Starts with Reconciled=False and LastKnownReconciled=False until the required adapters report.' },
  get: { operationId: 'getClusterById', summary: 'Get a cluster' },
  patch: { operationId: 'patchClusterById', summary: 'Change spec and/or labels', description: 'Each given field replaces the stored one whole. generation grows by one when something really changed.' },
  delete: {
    operationId: 'deleteClusterById',
    summary: 'Request deletion',
    description: 'Marks the cluster and its node pools for deletion (idempotent). They stay readable until adapters finalize or a force-delete removes them.',
  },
  forceDelete: {
    operationId: 'forceDeleteCluster',
    summary: 'Remove a cluster marked for deletion now',
    description: 'Removes the cluster, its node pools, their statuses and labels without waiting for adapters. Only for clusters marked for deletion.',
  },
};
