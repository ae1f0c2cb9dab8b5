import { FieldError, HyperfleetError } from './hyperfleet.error';

/** 400s: the request is wrong. */
export class ValidationError extends HyperfleetError {
  static field(field: string, message: string, constraint?: FieldError['constraint'], value?: unknown): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-000', message, [{ field, message, ...(constraint ? { constraint } : {}), ...(value !== undefined ? { value } : {}) }]);
  }
  static fields(detail: string, errors: FieldError[]): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-000', detail, errors);
  }
  static badRequest(detail: string, errors?: FieldError[]): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-005', detail, errors);
  }
  /** A child kind created through its flat collection (CONTRACT §4.3): VAL-000, as the original, with HTTP 422. */
  static childKind(detail: string): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-000', detail, undefined, undefined, 422);
  }
  static malformed(detail: string): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-006', detail);
  }
  static emptyBody(): ValidationError {
    return ValidationError.malformed('Request body is required but was empty');
  }
  static tooLarge(limit: number): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-008', `request body must not be larger than ${limit} bytes`);
  }
  static headersTooLarge(): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-010', 'The request line and headers are too large');
  }
  static unsupportedMediaType(got: string | undefined): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-009', `Content-Type must be application/json${got ? `, got '${got}'` : ''}`);
  }
  /** RFC 9110 §15.5.16: a 415 for a content coding says which codings are accepted. */
  static unsupportedEncoding(got: string, accepted: readonly string[]): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-009', `Content-Encoding '${got}' is not supported; send the body as it is or encoded with one of ${accepted.join(', ')}`, undefined, { 'Accept-Encoding': accepted.join(', ') });
  }
  /** The request's headers, or its body, did not arrive within server.read_timeout. */
  static readTimeout(ms: number, part: 'headers' | 'body'): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-011', `The request ${part} did not arrive within ${ms} ms`, undefined, { Connection: 'close' });
  }
  static hostRequired(): ValidationError {
    return new ValidationError('HYPERFLEET-VAL-006', 'An HTTP/1.1 request must have a Host header', undefined, { Connection: 'close' });
  }
}

/** 404s. */
export class NotFoundError extends HyperfleetError {
  static resource(kind: string, id: string): NotFoundError {
    return new NotFoundError('HYPERFLEET-NTF-001', `${kind} with id='${id}' not found`);
  }
  static route(method: string, path: string): NotFoundError {
    return new NotFoundError('HYPERFLEET-NTF-000', `The requested endpoint '${method} ${path}' does not exist`);
  }
}

/** 405 with the methods the path does support. */
export class MethodNotAllowedError extends HyperfleetError {
  static of(method: string, path: string, allowed: string[]): MethodNotAllowedError {
    return new MethodNotAllowedError('HYPERFLEET-MTH-001', `Method ${method} is not allowed on '${path}'; allowed: ${allowed.join(', ')}`, undefined, { Allow: allowed.join(', ') });
  }
}

/** 409s and 412. */
export class ConflictError extends HyperfleetError {
  /**
   * A live resource of the kind already has the name: `scope` says where names are unique (a child kind's
   * parent, e.g. `Cluster '…'`). Without a name (a driver error translated out of context) the original's
   * wording alone.
   */
  static nameTaken(kind: string, name?: string, scope?: string): ConflictError {
    if (name === undefined) return new ConflictError('HYPERFLEET-CNF-001', `This ${kind} already exists`);
    const among = scope ? `of ${scope} ` : '';
    return new ConflictError('HYPERFLEET-CNF-001', `This ${kind} already exists: another ${kind} ${among}not marked for deletion is named '${name}'`);
  }
  static markedForDeletion(kind: string, id: string): ConflictError {
    return new ConflictError('HYPERFLEET-CNF-003', `${kind} '${id}' is marked for deletion`);
  }
  /** Force-delete of a resource that is not marked for deletion: the original's words, and what to do instead. */
  static notFinalizing(kind: string, id: string): ConflictError {
    return new ConflictError('HYPERFLEET-CNF-003', `${kind} '${id}' is not in Finalizing state: it is not marked for deletion; DELETE it first, then force-delete removes it`);
  }
  static state(detail: string): ConflictError {
    return new ConflictError('HYPERFLEET-CNF-003', detail);
  }
  static preconditionFailed(kind: string, id: string): ConflictError {
    return new ConflictError('HYPERFLEET-CNF-004', `${kind} '${id}' has changed: If-Match does not match the current ETag`);
  }
}

const REALM = 'Bearer realm="hyperfleet"';
const INVALID_TOKEN = `${REALM}, error="invalid_token"`;

/** 401 / 403. Every 401 carries a `WWW-Authenticate: Bearer` challenge (RFC 6750). */
export class AuthError extends HyperfleetError {
  /** No configured token header was sent. */
  static missingCredentials(): AuthError {
    return new AuthError('HYPERFLEET-AUT-001', 'missing authorization header', undefined, { 'WWW-Authenticate': REALM });
  }
  /** A token header was sent, but not as `Bearer <token>`. */
  static notBearer(): AuthError {
    return new AuthError('HYPERFLEET-AUT-002', 'authorization header does not use Bearer scheme', undefined, { 'WWW-Authenticate': REALM });
  }
  /** Malformed, wrongly signed, wrong issuer or audience, unknown key, disallowed algorithm, not yet valid. */
  static invalidToken(): AuthError {
    return new AuthError('HYPERFLEET-AUT-002', 'invalid JWT token', undefined, { 'WWW-Authenticate': `${INVALID_TOKEN}, error_description="invalid JWT token"` });
  }
  static expiredToken(): AuthError {
    return new AuthError('HYPERFLEET-AUT-003', 'JWT token has expired', undefined, { 'WWW-Authenticate': `${INVALID_TOKEN}, error_description="JWT token has expired"` });
  }
  /** A valid token, but no usable caller identity for a write; `why` says what was wrong when known. */
  static identityUnresolved(why?: string): AuthError {
    const detail = why ? `Unable to resolve caller identity: ${why}` : 'Caller identity is required for mutating requests but could not be resolved';
    return new AuthError('HYPERFLEET-AUT-001', detail, undefined, { 'WWW-Authenticate': REALM });
  }
}

/** 503: the database cannot be reached, or the request ran past its deadline. */
export class UnavailableError extends HyperfleetError {
  static database(): UnavailableError {
    return new UnavailableError('HYPERFLEET-SVC-001', 'The database is not available; retry later', undefined, { 'Retry-After': '1' });
  }
  static timeout(ms?: number): UnavailableError {
    return new UnavailableError('HYPERFLEET-SVC-002', `The request did not complete within its deadline${ms ? ` of ${ms} ms` : ''}; retry later`, undefined, { 'Retry-After': '1' });
  }
}
