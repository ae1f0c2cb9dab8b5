import { ERROR_CODES, ErrorCode } from './error-codes';

/** One entry of a problem's `errors[]`: which field, what was wrong with it. */
export interface FieldError {
  field: string;
  value?: unknown;
  constraint?: 'required' | 'min' | 'max' | 'min_length' | 'max_length' | 'pattern' | 'enum' | 'format' | 'unique' | 'type';
  message: string;
}

/** Base of every error the service raises on purpose; the problem-details filter renders it. */
export class HyperfleetError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** The HTTP status when it is not the code's own (a child kind's create: VAL-000 with 422, as the original). */
    status?: number,
  ) {
    super(detail);
    this.name = new.target.name;
    ({ status: this.status, title: this.title, type: this.type } = ERROR_CODES[code]);
    if (status !== undefined) this.status = status;
  }
}
