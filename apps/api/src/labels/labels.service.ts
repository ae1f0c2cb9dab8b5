import { Injectable } from '@nestjs/common';
import { validateLabels, ValidationError } from '@app/common';
import { LabelMap } from '@app/persistence';

/** Labels of clusters and node pools: Kubernetes rules, one row per key, whole-set replacement. */
@Injectable()
export class LabelsService {
  /** Throws 400 "label validation failed" listing every bad key and value. */
  validate(labels: unknown): LabelMap {
    const errors = validateLabels(labels);
    if (errors.length) throw ValidationError.fields('label validation failed', errors);
    return labels as LabelMap;
  }
}
