import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthError, LOGGER, Logger, requestContext } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { resolveIdentity } from './identity';
import { JwtVerifier } from './jwt-verifier';
import { IS_PUBLIC } from './public.decorator';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication of every routed request (registered as APP_GUARD, so unknown routes answer 404
 * first). Off: nothing to do, the caller is the system identity. On: a valid bearer JWT is required
 * (except on @Public() routes), and the caller identity it yields is put on the request context, where
 * `callerOf` reads it for created_by / updated_by / deleted_by. Writes need an identity; reads do not.
 */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly verifier: JwtVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.server.jwt.enabled || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const req = context.switchToHttp().getRequest<Request>();
    const header = (name: string) => headerValue(req, name);
    const requestId = requestContext(req)?.requestId;
    const { issuer, claims } = await this.verifier.authenticate(header, (rejections) => this.logger.warn({ request_id: requestId, rejections }, 'JWT validation failed'));

    const result = resolveIdentity(claims, issuer, issuer.identityHeader ? header(issuer.identityHeader) : undefined);
    if (result.identity !== undefined) {
      const ctx = requestContext(req);
      if (ctx) ctx.caller = result.identity;
      return true;
    }
    if (MUTATING.has(req.method)) {
      this.logger.warn({ request_id: requestId, issuer: issuer.config.issuerUrl, reason: result.problem }, 'caller identity not resolved for a write');
      throw AuthError.identityUnresolved(result.problem);
    }
    return true;
  }
}

function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text === '' ? undefined : text;
}
