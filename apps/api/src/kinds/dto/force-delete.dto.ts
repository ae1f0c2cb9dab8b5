import { ApiSchema } from '@nestjs/swagger';
import { MaxCodePoints, RequiredString } from './validators';

/** Request body of force-delete. */
@ApiSchema({ name: 'ForceDeleteRequest' })
export class ForceDeleteDto {
  /** Why the resource is removed without waiting for adapters (1–1024 characters; logged for audit, not stored). */
  @RequiredString('reason', MaxCodePoints(1024, 'reason must be at most 1024 characters'))
  reason: string;
}
