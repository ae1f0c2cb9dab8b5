const TYPE_BASE = 'https://api.hyperfleet.io/errors/';

/**
 * Every error code the service emits, with its HTTP status, title and problem type.
 * Codes of the original service keep their meaning; codes it never defined are new, in the same scheme.
 */
export const ERROR_CODES = {
  'HYPERFLEET-VAL-000': { status: 400, title: 'Validation Failed', type: `${TYPE_BASE}validation-error` },
  'HYPERFLEET-VAL-005': { status: 400, title: 'Bad Request', type: `${TYPE_BASE}bad-request` },
  'HYPERFLEET-VAL-006': { status: 400, title: 'Malformed Request', type: `${TYPE_BASE}malformed-request` },
  'HYPERFLEET-VAL-008': { status: 413, title: 'Payload Too Large', type: `${TYPE_BASE}payload-too-large` },
  'HYPERFLEET-VAL-009': { status: 415, title: 'Unsupported Media Type', type: `${TYPE_BASE}unsupported-media-type` },
  'HYPERFLEET-VAL-010': { status: 431, title: 'Request Header Fields Too Large', type: `${TYPE_BASE}header-fields-too-large` },
  'HYPERFLEET-VAL-011': { status: 408, title: 'Request Timeout', type: `${TYPE_BASE}request-timeout` },
  'HYPERFLEET-AUT-001': { status: 401, title: 'Authentication Required', type: `${TYPE_BASE}authentication-error` },
  'HYPERFLEET-AUT-002': { status: 401, title: 'Invalid Credentials', type: `${TYPE_BASE}authentication-error` },
  'HYPERFLEET-AUT-003': { status: 401, title: 'Invalid Token', type: `${TYPE_BASE}authentication-error` },
  'HYPERFLEET-AUZ-001': { status: 403, title: 'Permission Denied', type: `${TYPE_BASE}permission-denied` },
  'HYPERFLEET-NTF-000': { status: 404, title: 'Endpoint Not Found', type: `${TYPE_BASE}not-found` },
  'HYPERFLEET-NTF-001': { status: 404, title: 'Resource Not Found', type: `${TYPE_BASE}not-found` },
  'HYPERFLEET-MTH-001': { status: 405, title: 'Method Not Allowed', type: `${TYPE_BASE}method-not-allowed` },
  'HYPERFLEET-CNF-001': { status: 409, title: 'Resource Conflict', type: `${TYPE_BASE}conflict` },
  'HYPERFLEET-CNF-003': { status: 409, title: 'State Conflict', type: `${TYPE_BASE}conflict` },
  'HYPERFLEET-CNF-004': { status: 412, title: 'Precondition Failed', type: `${TYPE_BASE}precondition-failed` },
  'HYPERFLEET-INT-001': { status: 500, title: 'Internal Server Error', type: `${TYPE_BASE}internal-error` },
  'HYPERFLEET-INT-002': { status: 500, title: 'Database Error', type: `${TYPE_BASE}internal-error` },
  'HYPERFLEET-SVC-001': { status: 503, title: 'Service Unavailable', type: `${TYPE_BASE}service-unavailable` },
  'HYPERFLEET-SVC-002': { status: 503, title: 'Request Timeout', type: `${TYPE_BASE}service-unavailable` },
} as const satisfies Record<string, { status: number; title: string; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
