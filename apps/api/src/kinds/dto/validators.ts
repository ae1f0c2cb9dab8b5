import { applyDecorators } from '@nestjs/common';
import { Equals, IsInt, IsNotEmpty, IsString, Matches, MaxLength, Min, MinLength, ValidateBy, ValidationOptions } from 'class-validator';
import { isPlainObject } from '@app/common';

/** Resource names (CONTRACT R1.1): lowercase letters, digits and inner hyphens. */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const NAME_PATTERN_MESSAGE = 'name must start and end with lowercase letter or number, and contain only lowercase letters, numbers, and hyphens';

// class-validator checks a property's rules in the order they are registered and, with
// stopAtFirstError, reports the first failure; applyDecorators registers them in array order.

/** A required string: missing/null/empty → "<field> is required", other types → "field '<field>' must be a string". */
export function RequiredString(field: string, ...rules: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(IsNotEmpty({ message: `${field} is required` }), IsString({ message: `field '${field}' must be a string` }), ...rules);
}

/** The resource `kind` discriminator. */
export const KindIs = (kind: string): PropertyDecorator => RequiredString('kind', Equals(kind, { message: `kind must be '${kind}'` }));

/** A resource name (CONTRACT R1.1–R1.3) with the kind's length limits. */
export const ResourceName = (min: number, max: number): PropertyDecorator =>
  RequiredString(
    'name',
    MinLength(min, { message: `name must be at least ${min} characters` }),
    MaxLength(max, { message: `name must be at most ${max} characters` }),
    Matches(NAME_PATTERN, { message: NAME_PATTERN_MESSAGE }),
  );

/** Present at all (null is present). */
export const IsPresent = (message: string, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy({ name: 'isDefined', validator: { validate: (v: unknown) => v !== undefined, defaultMessage: () => message } }, options);

/** A JSON object (not null, not an array). */
export const IsJsonObject = (message: string, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy({ name: 'isObject', validator: { validate: (v: unknown) => isPlainObject(v), defaultMessage: () => message } }, options);

/** At most `max` Unicode code points. */
export const MaxCodePoints = (max: number, message: string): PropertyDecorator =>
  ValidateBy({ name: 'maxLength', validator: { validate: (v: unknown) => typeof v === 'string' && [...v].length <= max, defaultMessage: () => message } });

/** A required JSON object: missing → "<field> is required", anything but an object (null included) → "<field> field must be an object". */
export const RequiredObject = (field: string): PropertyDecorator => applyDecorators(IsPresent(`${field} is required`), IsJsonObject(`${field} field must be an object`));

/** A required integer ≥ min: missing and too small both say "<field> must be >= <min>". */
export const RequiredIntAtLeast = (field: string, min: number): PropertyDecorator =>
  applyDecorators(IsPresent(`${field} must be >= ${min}`), IsInt({ message: `field '${field}' must be an integer` }), Min(min, { message: `${field} must be >= ${min}` }));
