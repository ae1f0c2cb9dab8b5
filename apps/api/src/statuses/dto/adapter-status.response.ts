import { ListEnvelopeResponse } from '../../kinds/dto/list-envelope.response';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AdapterStatusMetadataDto } from './adapter-status-create.dto';

/** A condition of an adapter status. */
@ApiSchema({ name: 'AdapterCondition' })
export class AdapterConditionResponse {
  type: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'], enumName: 'AdapterConditionStatus' })
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  /** When this condition last changed status (API-managed): kept while the reported status stays the same. */
  @ApiProperty({ format: 'date-time' })
  last_transition_time: string;
}

/** The last accepted report of one adapter about one resource. */
@ApiSchema({ name: 'AdapterStatus' })
export class AdapterStatusResponse {
  /** Adapter name. */
  adapter: string;
  /** Generation of the resource this status reflects. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  observed_generation: number;
  @ApiPropertyOptional({ type: () => AdapterStatusMetadataDto })
  metadata?: Record<string, unknown>;
  /** Adapter-specific data (`{}` when none was sent). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;
  @ApiProperty({ type: () => [AdapterConditionResponse] })
  conditions: AdapterConditionResponse[];
  /** When this adapter first reported on the resource. */
  @ApiProperty({ format: 'date-time' })
  created_time: string;
  /** When this adapter last reported (its `observed_time`); the sentinel reads adapter liveness from it. */
  @ApiProperty({ format: 'date-time' })
  last_report_time: string;
}

/** A page of adapter statuses, oldest first (then by adapter name). */
@ApiSchema({ name: 'AdapterStatusList' })
export class AdapterStatusListResponse extends ListEnvelopeResponse {
  @ApiProperty({ type: () => [AdapterStatusResponse] })
  items: AdapterStatusResponse[];
}
