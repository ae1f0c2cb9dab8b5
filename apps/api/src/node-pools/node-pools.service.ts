import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { assertIfMatch, ConflictError, isUuid, ListQuery, NotFoundError, parseListQuery, uuidv7 } from '@app/common';
import { NodePool, RenderedRow, ResourceRepository } from '@app/persistence';
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

  /** Creates under a cluster that is locked for the duration, so it cannot be marked for deletion meanwhile. */
  async create(clusterId: string, dto: CreateNodePoolDto, caller: string): Promise<ResourceView<NodePool>> {
    const labels = dto.labels === undefined || dto.labels === null ? {} : this.labels.validate(dto.labels);
    await this.clusters.require(this.em, clusterId);
    return this.em.transactional(async (em) => {
      const cluster = await this.clusters.require(em, clusterId, true);
      if (cluster.deletedTime) throw ConflictError.markedForDeletion('Cluster', clusterId);
      const now = new Date();
      const row = em.create(NodePool, { id: uuidv7(), cluster, name: dto.name, spec: dto.spec, createdTime: now, updatedTime: now, createdBy: caller, updatedBy: caller });
      return this.lifecycle.create(em, NODE_POOL, row, labels);
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
    return this.em.transactional(async (em) => {
      const row = await this.requireOwned(em, clusterId, id, true);
      assertIfMatch(ifMatch, row.version, NODE_POOL.kind, id);
      return this.lifecycle.patch(em, NODE_POOL, row, patch, caller, async () => false);
    });
  }

  markForDeletion(clusterId: string, id: string, caller: string, ifMatch?: string): Promise<ResourceView<NodePool>> {
    return this.em.transactional(async (em) => {
      const row = await this.requireOwned(em, clusterId, id, true);
      assertIfMatch(ifMatch, row.version, NODE_POOL.kind, id);
      await this.lifecycle.mark(em, NODE_POOL, row, caller, new Date(), false);
      return { row, labels: await this.labels.forOwner(em, NODE_POOL.kind, id) };
    });
  }

  /** Removes a node pool marked for deletion, with its statuses and labels (CONTRACT R5.7, D4). */
  forceDelete(clusterId: string, id: string, reason: string, caller: string): Promise<void> {
    return this.em.transactional(async (em) => {
      const row = await this.requireOwned(em, clusterId, id, true);
      if (!row.deletedTime) throw ConflictError.notFinalizing(NODE_POOL.kind, id);
      await this.lifecycle.remove(em, NODE_POOL, [row], new Date());
      this.lifecycle.auditForceDelete(NODE_POOL, id, caller, reason, []);
    });
  }

  /** The node pool of that cluster, or 404 (a node pool of another cluster is not found here). */
  async require(em: EntityManager, clusterId: string, id: string, lock = false): Promise<NodePool> {
    const row = isUuid(id) && isUuid(clusterId) ? await this.nodePools.findById(em, id, { lock, where: { cluster: clusterId } }) : null;
    if (!row) throw NotFoundError.resource(NODE_POOL.kind, id);
    return row;
  }

  /** Cluster first (its own 404), then the node pool. */
  private async requireOwned(em: EntityManager, clusterId: string, id: string, lock: boolean): Promise<NodePool> {
    await this.clusters.require(em, clusterId);
    return this.require(em, clusterId, id, lock);
  }
}
