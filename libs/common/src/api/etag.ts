import { ConflictError } from '../errors/errors';

/** The ETag of one stored version of a resource. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * Optimistic concurrency (RFC 9110 §13.1.1): with `If-Match`, the write proceeds only when one of the
 * listed entity tags (or `*`) matches the current version; otherwise 412. Absent → unconditional.
 */
export function assertIfMatch(ifMatch: string | undefined, version: number, kind: string, id: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.includes(etagOf(version))) return;
  throw ConflictError.preconditionFailed(kind, id);
}
