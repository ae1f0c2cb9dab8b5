import { ApiProperty } from '@nestjs/swagger';

/** The fields every list answer carries (CONTRACT D6); subclasses add `items`. */
export class ListEnvelopeResponse {
  /** The list's type, e.g. `AdapterStatusList` (kept for older clients, CONTRACT D6). */
  kind: string;
  /** The page returned. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  page: number;
  /** Number of items in this page. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  size: number;
  /** Number of all matches. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  total: number;
}
