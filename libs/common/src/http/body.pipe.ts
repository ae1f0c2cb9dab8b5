import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
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
 */
@Injectable()
export class BodyPipe<T extends object> implements PipeTransform<unknown, Promise<T>> {
  private readonly known?: Set<string>;

  constructor(
    private readonly dto: Type<T>,
    private readonly options: BodyPipeOptions = {},
    known?: readonly string[],
  ) {
    if (options.strict) this.known = new Set(known ?? Object.keys(new dto()));
  }

  async transform(value: unknown): Promise<T> {
    if (value === undefined) throw ValidationError.emptyBody();
    if (!isPlainObject(value)) throw ValidationError.malformed('Invalid request format: the body must be a JSON object');
    if (this.known) {
      const unknown = Object.keys(value).find((k) => !this.known!.has(k));
      if (unknown !== undefined) throw ValidationError.malformed(`Invalid request format: json: unknown field "${unknown}"`);
    }
    const instance = plainToInstance(this.dto, value, { enableImplicitConversion: false });
    const errors = await validate(instance, { stopAtFirstError: true, whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: false });
    if (errors.length) throw validationExceptionFactory(errors);
    return instance;
  }
}
