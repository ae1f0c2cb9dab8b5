import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { assertIfMatch, ConflictError, isUuid, ListQuery, NotFoundError, parseListQuery, uuidv7 } from '@app/common';
import { Cluster, NodePool, RenderedRow, ResourceRepository } from '@app/persistence';
import { LabelsService } from '../labels/labels.service';
import { CLUSTER, NODE_POOL, ORDERABLE } from '../resources/resource-kind';
import { RenderedPage, ResourceLifecycle, ResourcePatch, ResourceView } from '../resources/resource-lifecycle.service';
import { RESOURCE_JSON } from '../resources/resource.sql-presenter';
import { CreateClusterDto } from './dto/create-cluster.dto';

/** Clusters: creation, reads, PATCH, the deletion mark (cascading to node pools) and force-delete. */
@Injectable()
export class ClustersService {
  readonly clusters = new ResourceRepository(Cluster);
  private readonly nodePools = new ResourceRepository(NodePool);

  constructor(
    private readonly em: EntityManager,
    private readonly lifecycle: ResourceLifecycle,
    private readonly labels: LabelsService,
  ) {}

  async create(dto: CreateClusterDto, caller: string): Promise<ResourceView<Cluster>> {
    const labels = dto.labels === undefined || dto.labels === null ? {} : this.labels.validate(dto.labels);
    const now = new Date();
    return this.em.transactional((em) => {
      const row = em.create(Cluster, { id: uuidv7(), name: dto.name, spec: dto.spec, createdTime: now, updatedTime: now, createdBy: caller, updatedBy: caller });
      return this.lifecycle.create(em, CLUSTER, row, labels);
    });
  }

  /** The cluster as its wire JSON, rendered by PostgreSQL. */
  async get(id: string): Promise<RenderedRow> {
    const found = isUuid(id) ? await this.clusters.findRendered(this.em, id, RESOURCE_JSON.Cluster) : null;
    if (!found) throw NotFoundError.resource(CLUSTER.kind, id);
    return found;
  }

  list(rawQuery: Record<string, unknown>): Promise<RenderedPage & { query: ListQuery }> {
    const query = parseListQuery(rawQuery, ORDERABLE);
    return this.lifecycle.page(this.em, CLUSTER, this.clusters, {}, query).then((page) => ({ ...page, query }));
  }

  patch(id: string, patch: ResourcePatch, caller: string, ifMatch?: string): Promise<ResourceView<Cluster>> {
    this.lifecycle.validatePatch(patch);
    return this.em.transactional(async (em) => {
      const row = await this.require(em, id, true);
      assertIfMatch(ifMatch, row.version, CLUSTER.kind, id);
      return this.lifecycle.patch(em, CLUSTER, row, patch, caller, () => this.hasChildren(em, id));
    });
  }

  /** Marks the cluster and, first, each of its node pools for deletion (CONTRACT R5.1, R5.2). */
  markForDeletion(id: string, caller: string, ifMatch?: string): Promise<ResourceView<Cluster>> {
    return this.em.transactional(async (em) => {
      const row = await this.require(em, id, true);
      assertIfMatch(ifMatch, row.version, CLUSTER.kind, id);
      if (!row.deletedTime) {
        const at = new Date();
        const pools = await this.nodePools.lockAll(em, { cluster: id });
        for (const pool of pools) await this.lifecycle.mark(em, NODE_POOL, pool, caller, at, false);
        await this.lifecycle.mark(em, CLUSTER, row, caller, at, pools.length > 0);
      }
      return { row, labels: await this.labels.forOwner(em, CLUSTER.kind, id) };
    });
  }

  /** Removes a cluster marked for deletion, with its node pools, statuses and labels (CONTRACT R5.7, D4). */
  forceDelete(id: string, reason: string, caller: string): Promise<void> {
    return this.em.transactional(async (em) => {
      const row = await this.require(em, id, true);
      if (!row.deletedTime) throw ConflictError.notFinalizing(CLUSTER.kind, id);
      const at = new Date();
      const pools = await this.nodePools.lockAll(em, { cluster: id });
      await this.lifecycle.remove(em, NODE_POOL, pools, at);
      await this.lifecycle.remove(em, CLUSTER, [row], at);
      this.lifecycle.auditForceDelete(CLUSTER, id, caller, reason, pools.map((p) => p.id));
    });
  }

  /** The cluster, or 404 (ids that are not UUIDs cannot exist). */
  async require(em: EntityManager, id: string, lock = false): Promise<Cluster> {
    const row = isUuid(id) ? await this.clusters.findById(em, id, { lock }) : null;
    if (!row) throw NotFoundError.resource(CLUSTER.kind, id);
    return row;
  }

  private async hasChildren(em: EntityManager, id: string): Promise<boolean> {
    return (await this.nodePools.count(em, { cluster: id })) > 0;
  }
}
