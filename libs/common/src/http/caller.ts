import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { requestContext } from './request-context';

/** The identity recorded in created_by / updated_by / deleted_by when authentication is off. */
export const SYSTEM_IDENTITY = 'system@hyperfleet.local';

/**
 * The caller's identity for audit fields. The one place identity is resolved: authentication, when
 * enabled, stores the resolved identity on the request context before the handler runs.
 */
export function callerOf(req: Request): string {
  return requestContext(req)?.caller ?? SYSTEM_IDENTITY;
}

/** Handler parameter: the caller's identity. */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => callerOf(ctx.switchToHttp().getRequest<Request>()));
