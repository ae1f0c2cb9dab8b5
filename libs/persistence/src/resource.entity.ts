import { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { JsonObject, ResourceCondition } from './resource.types';

/**
 * Columns shared by clusters and node pools. Two deletion stages (CONTRACT D4): `deletedTime` marks a
 * resource for deletion (still readable); `deletedAt` removes it (hidden by the soft-delete filter).
 */
@Entity({ abstract: true })
export abstract class ResourceEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'jsonb' })
  spec!: JsonObject;

  @Property({ type: 'integer', default: 1 })
  generation: number & Opt = 1;

  /** Bumped on every write of the row; the ETag is derived from it. */
  @Property({ type: 'integer', default: 1 })
  version: number & Opt = 1;

  /** Aggregated conditions (Reconciled, LastKnownReconciled, <Adapter>Successful). */
  @Property({ type: 'jsonb', defaultRaw: `'[]'` })
  conditions: ResourceCondition[] & Opt = [];

  /**
   * The statuses of `conditions` as `<type>=<status>` elements (`conditionStatuses` of resource.types),
   * written with them by every statement that writes them; the GIN index of condition status searches
   * is on this column, so that a write that changes the conditions but not their statuses touches no
   * indexed column (a heap-only update).
   */
  @Property({ type: 'text[]', defaultRaw: `'{}'`, lazy: true, hidden: true })
  conditionStatuses?: string[] & Opt;

  @Property({ type: 'timestamptz' })
  createdTime!: Date;

  @Property({ type: 'timestamptz' })
  updatedTime!: Date;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'text' })
  updatedBy!: string;

  @Property({ type: 'timestamptz', nullable: true })
  deletedTime?: Date | null;

  @Property({ type: 'text', nullable: true })
  deletedBy?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;

  /**
   * The live labels as their wire JSON text (`{"key":"value",…}`, keys in order), NULL when there are
   * none: written by the statement that writes the labels, from the same values, and sent as it is by
   * the reads. The labels table stays the truth that searches use.
   */
  @Property({ type: 'text', nullable: true, lazy: true })
  renderedLabels?: string | null;
}
