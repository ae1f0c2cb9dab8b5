import { ApiProperty } from '@nestjs/swagger';

/** An aggregated condition of a cluster or node pool (Reconciled, LastKnownReconciled, `<Adapter>Successful`). */
export class ResourceConditionResponse {
  /** Condition type. */
  type: string;
  @ApiProperty({ enum: ['True', 'False'], description: 'Condition status' })
  status: 'True' | 'False';
  /** Machine-readable reason code. */
  reason?: string;
  /** Human-readable message. */
  message?: string;
  /** Generation of the spec that this condition reflects. */
  observed_generation: number;
  /** When this condition was first created (API-managed). */
  @ApiProperty({ format: 'date-time' })
  created_time: string;
  /** When the corresponding adapter last reported (API-managed). */
  @ApiProperty({ format: 'date-time' })
  last_updated_time: string;
  /** When this condition last changed status (API-managed). */
  @ApiProperty({ format: 'date-time' })
  last_transition_time: string;
}

/** Status computed by the service from adapter reports; cannot be written directly. */
export class ResourceStatusResponse {
  /** Always contains `Reconciled` and `LastKnownReconciled`, then one `<Adapter>Successful` per required adapter that has reported. */
  @ApiProperty({ type: () => [ResourceConditionResponse], minItems: 2 })
  conditions: ResourceConditionResponse[];
}

/** A reference to another resource. */
export class ObjectReferenceResponse {
  /** Resource identifier. */
  id?: string;
  /** Resource kind. */
  kind: string;
  /** Resource URI. */
  href?: string;
}
