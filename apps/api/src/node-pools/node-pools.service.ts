import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { assertIfMatch, ConflictError, isUuid, ListQuery, NotFoundError, parseListQuery } from '@app/common';
import { Locked, NodePool, RenderedRow, ResourceRepository, WriteStore } from '@app/persistence';
import { ClustersService } from '../clusters/clusters.service';
import { LabelsService } from '../labels/labels.service';
import { NODE_POOL, NODE_POOL_ORDERABLE } from '../resources/resource-kind';
import { RenderedPage, ResourceLifecycle, ResourcePatch, ResourceView } from '../resources/resource-lifecycle.service';
import { RESOURCE_JSON } from '../resources/resource.sql-presenter';
import { CreateNodePoolDto } from './dto/create-node-pool.dto';

/** Node pools, always addressed through their cluster (plus the fleet-wide list). */
@Injectable()
export class NodePoolsService {
  readonly nodePools = new ResourceRepository(NodePool);

  constructor(
    private readonly em: EntityManager,
    private readonly clusters: ClustersService,
    private readonly lifecycle: ResourceLifecycle,
    private readonly labels: LabelsService,
  ) {}

  /** Creates under a cluster that is locked meanwhile (`holdCluster`), so it cannot be marked for deletion or removed. */
  async create(clusterId: string, dto: CreateNodePoolDto, caller: string): Promise<ResourceView<NodePool>> {
    const labels = dto.labels === undefined || dto.labels === null ? {} : this.labels.validate(dto.labels);
    return WriteStore.transaction(this.em, async (store) => {
      const cluster = isUuid(clusterId) ? await store.holdCluster(clusterId) : null;
      if (!cluster) throw NotFoundError.resource('Cluster', clusterId);
      if (cluster.deletedTime) throw ConflictError.markedForDeletion('Cluster', clusterId);
      return this.lifecycle.create<NodePool>(store, NODE_POOL, { name: dto.name, spec: dto.spec, cluster: { id: clusterId } }, labels, caller);
    });
  }

  /** The node pool as its wire JSON, rendered by PostgreSQL. */
  async get(clusterId: string, id: string): Promise<RenderedRow> {
    const found = isUuid(id) && isUuid(clusterId) ? await this.nodePools.findRendered(this.em, id, RESOURCE_JSON.NodePool, clusterId) : null;
    if (found) return found;
    // not found: say whether the cluster or the node pool is missing
    await this.clusters.require(this.em, clusterId);
    throw NotFoundError.resource(NODE_POOL.kind, id);
  }

  /** The node pools of one cluster (404 when the cluster does not exist). */
  async listOfCluster(clusterId: string, rawQuery: Record<string, unknown>): Promise<RenderedPage & { query: ListQuery }> {
    const query = parseListQuery(rawQuery, NODE_POOL_ORDERABLE);
    await this.clusters.require(this.em, clusterId);
    return { ...(await this.lifecycle.page(this.em, NODE_POOL, this.nodePools, { cluster: clusterId }, query)), query };
  }

  /** Node pools of every cluster. */
  async listAll(rawQuery: Record<string, unknown>): Promise<RenderedPage & { query: ListQuery }> {
    const query = parseListQuery(rawQuery, NODE_POOL_ORDERABLE);
    return { ...(await this.lifecycle.page(this.em, NODE_POOL, this.nodePools, {}, query)), query };
  }

  patch(clusterId: string, id: string, patch: ResourcePatch, caller: string, ifMatch?: string): Promise<ResourceView<NodePool>> {
    this.lifecycle.validatePatch(patch);
    return WriteStore.optimistic(this.em, async (store) => {
      const locked = await this.lock(store, clusterId, id);
      assertIfMatch(ifMatch, locked.row.version, NODE_POOL.kind, id);
      return this.lifecycle.patch(store, NODE_POOL, locked, patch, caller);
    });
  }

  /** Marks one node pool for deletion (CONTRACT R5.1): one row, so optimistic first. */
  markForDeletion(clusterId: string, id: string, caller: string, ifMatch?: string): Promise<ResourceView<NodePool>> {
    return WriteStore.optimistic(this.em, async (store) => {
      const locked = await this.lock(store, clusterId, id);
      assertIfMatch(ifMatch, locked.row.version, NODE_POOL.kind, id);
      await this.lifecycle.mark(store, NODE_POOL, locked, caller, new Date(), false);
      return { row: locked.row, labels: locked.labels };
    });
  }

  /** Removes a node pool marked for deletion, with its statuses and labels (CONTRACT R5.7, D4). */
  forceDelete(clusterId: string, id: string, reason: string, caller: string): Promise<void> {
    return WriteStore.transaction(this.em, async (store) => {
      const { row } = await this.lock(store, clusterId, id);
      if (!row.deletedTime) throw ConflictError.notFinalizing(NODE_POOL.kind, id);
      await this.lifecycle.remove(store, NODE_POOL, [row], new Date());
      this.lifecycle.auditForceDelete(NODE_POOL, id, caller, reason, []);
    });
  }

  /** The live node pool of a live cluster, read for a change (`WriteStore.lockRow`); else 404 for the cluster or, when it exists, the node pool. */
  private async lock(store: WriteStore, clusterId: string, id: string): Promise<Locked<NodePool>> {
    const locked = isUuid(id) && isUuid(clusterId) ? await store.lockRow<NodePool>(NODE_POOL.kind, id, clusterId) : null;
    if (locked) return locked;
    await this.clusters.require(this.em, clusterId);
    throw NotFoundError.resource(NODE_POOL.kind, id);
  }

  /** The node pool of that cluster, or 404 (a node pool of another cluster is not found here). */
  async require(em: EntityManager, clusterId: string, id: string): Promise<NodePool> {
    const row = isUuid(id) && isUuid(clusterId) ? await this.nodePools.findById(em, id, { where: { cluster: clusterId } }) : null;
    if (!row) throw NotFoundError.resource(NODE_POOL.kind, id);
    return row;
  }
}
