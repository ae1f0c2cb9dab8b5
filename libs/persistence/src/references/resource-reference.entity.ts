import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One reference of one resource to another (CONTRACT §5.6): `references: {<ref_type>: [{id, kind}, …]}`, in order. */
@Entity({ tableName: 'resource_references' })
@Index({ name: 'resource_references_target_idx', properties: ['targetId', 'refType', 'ownerId'], where: 'deleted_at is null' })
export class ResourceReference {
  @PrimaryKey({ type: 'uuid' })
  ownerId!: string;

  @PrimaryKey({ type: 'text' })
  refType!: string;

  @PrimaryKey({ type: 'uuid' })
  targetId!: string;

  @Property({ type: 'text' })
  ownerKind!: string;

  @Property({ type: 'text' })
  targetKind!: string;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
