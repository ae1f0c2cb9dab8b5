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
}
