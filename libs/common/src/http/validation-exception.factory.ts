import type { ValidationError as ClassValidatorError } from 'class-validator';
import { ValidationError } from '../errors/errors';
import { FieldError } from '../errors/hyperfleet.error';

const CONSTRAINTS: Record<string, FieldError['constraint']> = {
  isDefined: 'required',
  isNotEmpty: 'required',
  minLength: 'min_length',
  maxLength: 'max_length',
  min: 'min',
  max: 'max',
  matches: 'pattern',
  isIn: 'enum',
  isEnum: 'enum',
  isInt: 'type',
  isString: 'type',
  isObject: 'type',
  isArray: 'type',
  isBoolean: 'type',
  isNumber: 'type',
  isDateString: 'format',
  isISO8601: 'format',
  isRFC3339: 'format',
};

function flatten(errors: ClassValidatorError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const [name, message] of Object.entries(e.constraints ?? {})) {
      out.push({ field, message, ...(CONSTRAINTS[name] ? { constraint: CONSTRAINTS[name] } : {}) });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** class-validator failures → 400 HYPERFLEET-VAL-000 with one `errors[]` entry per failed rule. */
export function validationExceptionFactory(errors: ClassValidatorError[]): ValidationError {
  const fieldErrors = flatten(errors);
  return ValidationError.fields(fieldErrors[0]?.message ?? 'Validation failed', fieldErrors);
}
