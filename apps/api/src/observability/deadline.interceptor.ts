import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, throwError, TimeoutError } from 'rxjs';
import { catchError, timeout } from 'rxjs/operators';
import { UnavailableError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';

/**
 * Every request has a deadline (database.request_timeout): past it the client gets 503
 * HYPERFLEET-SVC-002 instead of a hung socket. The statement timeout, set to the same value on every
 * connection, stops the database work itself.
 */
@Injectable()
export class DeadlineInterceptor implements NestInterceptor {
  private readonly ms: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // a little after the statement timeout, so a cancelled statement reports itself first
    this.ms = config.database.requestTimeoutMs + 250;
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(this.ms),
      catchError((err: unknown) => throwError(() => (err instanceof TimeoutError ? UnavailableError.timeout(this.ms) : err))),
    );
  }
}
