import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** One field-level problem. */
@ApiSchema({ name: 'ValidationError' })
export class FieldErrorResponse {
  /** Path of the field, e.g. `name`, `labels[env]`, `spec.region`. */
  field: string;
  /** The rejected value, when safe to echo. */
  @ApiPropertyOptional({ description: 'The rejected value, when safe to echo' })
  value?: unknown;
  @ApiPropertyOptional({ enum: ['required', 'min', 'max', 'min_length', 'max_length', 'pattern', 'enum', 'format', 'unique', 'type'] })
  constraint?: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
@ApiSchema({ name: 'ProblemDetails' })
export class ProblemResponse {
  /** URI identifying the problem type, e.g. `https://api.hyperfleet.io/errors/not-found`. */
  @ApiProperty({ format: 'uri' })
  type: string;
  /** Short summary of the problem type. */
  title: string;
  /** HTTP status code. */
  status: number;
  /** What went wrong in this request. */
  detail?: string;
  /** Path of the request. */
  instance?: string;
  /** Machine-readable code `HYPERFLEET-<CAT>-<NNN>`. */
  code?: string;
  /** When the error occurred (RFC 3339, UTC). */
  @ApiPropertyOptional({ format: 'date-time' })
  timestamp?: string;
  /** The request id (also the `X-Request-ID` response header). */
  trace_id?: string;
  @ApiPropertyOptional({ type: () => [FieldErrorResponse] })
  errors?: FieldErrorResponse[];
}
