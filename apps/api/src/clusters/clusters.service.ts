import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { assertIfMatch, ConflictError, isUuid, ListQuery, NotFoundError, parseListQuery } from '@app/common';
import { Cluster, Locked, NodePool, RenderedRow, ResourceRepository, WriteStore } from '@app/persistence';
import { LabelsService } from '../labels/labels.service';
import { CLUSTER, NODE_POOL, ORDERABLE } from '../resources/resource-kind';
import { RenderedPage, ResourceLifecycle, ResourcePatch, ResourceView } from '../resources/resource-lifecycle.service';
import { RESOURCE_JSON } from '../resources/resource.sql-presenter';
import { CreateClusterDto } from './dto/create-cluster.dto';

/** Clusters: creation, reads, PATCH, the deletion mark (cascading to node pools) and force-delete. */
@Injectable()
export class ClustersService {
  readonly clusters = new ResourceRepository(Cluster);

  constructor(
    private readonly em: EntityManager,
    private readonly lifecycle: ResourceLifecycle,
    private readonly labels: LabelsService,
  ) {}

  async create(dto: CreateClusterDto, caller: string): Promise<ResourceView<Cluster>> {
    const labels = dto.labels === undefined || dto.labels === null ? {} : this.labels.validate(dto.labels);
    // one statement (the row with its labels): no transaction needed
    return WriteStore.session(this.em, (store) => this.lifecycle.create<Cluster>(store, CLUSTER, { name: dto.name, spec: dto.spec }, labels, caller));
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
    return WriteStore.optimistic(this.em, async (store) => {
      const locked = await this.lock(store, id);
      assertIfMatch(ifMatch, locked.row.version, CLUSTER.kind, id);
      return this.lifecycle.patch(store, CLUSTER, locked, patch, caller);
    });
  }

  /**
   * Marks the cluster and, first, each of its node pools for deletion (CONTRACT R5.1, R5.2). Optimistic
   * first when it has no node pools (one row to write), else under row locks.
   */
  markForDeletion(id: string, caller: string, ifMatch?: string): Promise<ResourceView<Cluster>> {
    return WriteStore.optimistic(this.em, async (store) => {
      const locked = await this.lock(store, id);
      assertIfMatch(ifMatch, locked.row.version, CLUSTER.kind, id);
      if (!locked.row.deletedTime) {
        const at = new Date();
        const pools = await store.lockChildren<NodePool>(id);
        for (const pool of pools) await this.lifecycle.mark(store, NODE_POOL, pool, caller, at, false);
        await this.lifecycle.mark(store, CLUSTER, locked, caller, at, pools.length > 0);
      }
      return { row: locked.row, labels: locked.labels };
    });
  }

  /** Removes a cluster marked for deletion, with its node pools, statuses and labels (CONTRACT R5.7, D4). */
  forceDelete(id: string, reason: string, caller: string): Promise<void> {
    return WriteStore.transaction(this.em, async (store) => {
      const { row } = await this.lock(store, id);
      if (!row.deletedTime) throw ConflictError.notFinalizing(CLUSTER.kind, id);
      const at = new Date();
      const pools = (await store.lockChildren<NodePool>(id)).map((p) => p.row);
      await this.lifecycle.remove(store, NODE_POOL, pools, at);
      await this.lifecycle.remove(store, CLUSTER, [row], at);
      this.lifecycle.auditForceDelete(CLUSTER, id, caller, reason, pools.map((p) => p.id));
    });
  }

  /** The live cluster, read for a change (`WriteStore.lockRow`), or 404 (ids that are not UUIDs cannot exist). */
  private async lock(store: WriteStore, id: string): Promise<Locked<Cluster>> {
    const locked = isUuid(id) ? await store.lockRow<Cluster>(CLUSTER.kind, id) : null;
    if (!locked) throw NotFoundError.resource(CLUSTER.kind, id);
    return locked;
  }

  /** The cluster, or 404 (ids that are not UUIDs cannot exist). */
  async require(em: EntityManager, id: string): Promise<Cluster> {
    const row = isUuid(id) ? await this.clusters.findById(em, id) : null;
    if (!row) throw NotFoundError.resource(CLUSTER.kind, id);
    return row;
  }
}
