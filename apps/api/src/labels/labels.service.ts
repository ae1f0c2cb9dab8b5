import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { validateLabels, ValidationError } from '@app/common';
import { LabelMap, LabelRepository, OwnerType } from '@app/persistence';

/** Labels of clusters and node pools: Kubernetes rules, one row per key, whole-set replacement. */
@Injectable()
export class LabelsService {
  private readonly repository = new LabelRepository();

  /** Throws 400 "label validation failed" listing every bad key and value. */
  validate(labels: unknown): LabelMap {
    const errors = validateLabels(labels);
    if (errors.length) throw ValidationError.fields('label validation failed', errors);
    return labels as LabelMap;
  }

  forOwner(em: EntityManager, ownerType: OwnerType, ownerId: string): Promise<LabelMap> {
    return this.repository.forOwner(em, ownerType, ownerId);
  }

  insert(em: EntityManager, ownerType: OwnerType, ownerId: string, labels: LabelMap): Promise<void> {
    return this.repository.insert(em, ownerType, ownerId, labels);
  }

  replace(em: EntityManager, ownerType: OwnerType, ownerId: string, labels: LabelMap): Promise<void> {
    return this.repository.replace(em, ownerType, ownerId, labels);
  }

  remove(em: EntityManager, ownerType: OwnerType, ownerIds: string[], at: Date): Promise<void> {
    return this.repository.remove(em, ownerType, ownerIds, at);
  }
}
