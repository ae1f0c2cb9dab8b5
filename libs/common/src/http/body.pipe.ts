import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { getMetadataStorage, validate } from 'class-validator';
import { isPlainObject } from '../api/json';
import { ValidationError } from '../errors/errors';
import { validationExceptionFactory } from './validation-exception.factory';

export interface BodyPipeOptions {
  /** Reject properties the DTO does not declare (PATCH bodies); otherwise they are ignored. */
  strict?: boolean;
}

/**
 * Validates a JSON request body against a class-validator DTO. An empty body and a non-object body are
 * 400 HYPERFLEET-VAL-006; rule violations are 400 HYPERFLEET-VAL-000 whose detail is the first failed rule
 * in declaration order (each property stops at its first failing rule) and whose `errors[]` lists all.
 * The instance checked and handed on carries the body's values for the DTO's declared properties as
 * they were parsed: no deep conversion, so free-form JSON (`spec`, `data`, labels) keeps keys such as
 * `__proto__` or `constructor` as plain data, and other body properties never land on the instance.
 */
@Injectable()
export class BodyPipe<T extends object> implements PipeTransform<unknown, Promise<T>> {
  private readonly known?: Set<string>;
  /** Properties with validation rules: the only ones copied onto the instance. */
  private readonly declared: string[];

  constructor(
    private readonly dto: Type<T>,
    private readonly options: BodyPipeOptions = {},
    known?: readonly string[],
  ) {
    if (options.strict) this.known = new Set(known ?? Object.keys(new dto()));
    this.declared = [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))];
  }

  async transform(value: unknown): Promise<T> {
    if (value === undefined) throw ValidationError.emptyBody();
    if (!isPlainObject(value)) throw ValidationError.malformed('Invalid request format: the body must be a JSON object');
    if (this.known) {
      const unknown = Object.keys(value).find((k) => !this.known!.has(k));
      if (unknown !== undefined) throw ValidationError.malformed(`Invalid request format: json: unknown field "${unknown}"`);
    }
    const instance = Object.create(this.dto.prototype) as T;
    for (const key of this.declared) if (Object.prototype.hasOwnProperty.call(value, key)) (instance as Record<string, unknown>)[key] = value[key];
    const errors = await validate(instance, { stopAtFirstError: true, whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: false });
    if (errors.length) throw validationExceptionFactory(errors);
    return instance;
  }
}
