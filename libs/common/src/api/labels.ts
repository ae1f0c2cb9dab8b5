import { FieldError } from '../errors/hyperfleet.error';
import { isPlainObject } from './json';

const NAME = /^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function keyProblem(key: string): string | undefined {
  if (key.length > 255) return `label key '${key.slice(0, 40)}…' must be at most 255 characters`;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > 253 || !prefix.split('.').every((part) => part.length <= 63 && DNS_LABEL.test(part)))
      return `label key '${key}' has an invalid prefix: it must be a DNS subdomain (lowercase labels separated by '.', each at most 63 characters, at most 253 in all)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    return `label key '${key}' is invalid: the name part must be 1-63 characters, start and end with a letter or digit, and contain only letters, digits, '-', '_' and '.'`;
  return undefined;
}

function valueProblem(key: string, value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value))
    return `label value for '${key}' is invalid: it must be empty or 1-63 characters, start and end with a letter or digit, and contain only letters, digits, '-', '_' and '.'`;
  return undefined;
}

/**
 * Kubernetes label rules (CONTRACT R1.5): keys `[prefix/]name`, values empty or a name. Every problem
 * is reported, keys as `labels` (value = the key), values as `labels[<key>]`.
 */
export function validateLabels(labels: unknown): FieldError[] {
  if (!isPlainObject(labels)) return [{ field: 'labels', message: "field 'labels' must be an object", constraint: 'type' }];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const bad = keyProblem(key);
    if (bad) errors.push({ field: 'labels', value: key, constraint: 'pattern', message: bad });
    if (typeof value !== 'string') {
      errors.push({ field: `labels[${key}]`, constraint: 'type', message: `label value for '${key}' must be a string` });
      continue;
    }
    const badValue = valueProblem(key, value);
    if (badValue) errors.push({ field: `labels[${key}]`, value, constraint: 'pattern', message: badValue });
  }
  return errors;
}
