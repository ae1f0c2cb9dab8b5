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

  forOwners(em: EntityManager, ownerType: OwnerType, ownerIds: string[]): Promise<Map<string, LabelMap>> {
    return this.repository.forOwners(em, ownerType, ownerIds);
  }
}
