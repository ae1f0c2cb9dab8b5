import { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { AdapterCondition, JsonObject, OwnerType } from '../resource.types';

/** The last accepted report of one adapter about one resource (polymorphic owner). */
@Entity({ tableName: 'adapter_statuses' })
@Unique({ name: 'adapter_statuses_owner_adapter_uq', properties: ['ownerType', 'ownerId', 'adapter'] })
export class AdapterStatus {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  ownerType!: OwnerType;

  @Property({ type: 'uuid' })
  ownerId!: string;

  @Property({ type: 'text' })
  adapter!: string;

  @Property({ type: 'integer' })
  observedGeneration!: number;

  @Property({ type: 'jsonb' })
  conditions!: AdapterCondition[];

  @Property({ type: 'jsonb', defaultRaw: `'{}'` })
  data: JsonObject & Opt = {};

  @Property({ type: 'jsonb', nullable: true })
  metadata?: JsonObject | null;

  @Property({ type: 'timestamptz' })
  createdTime!: Date;

  @Property({ type: 'timestamptz' })
  lastReportTime!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
