import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { HttpServer } from '@nestjs/common/interfaces';
import { mapError } from './error-mapping';

/** Every REST failure (404 on unknown routes included) becomes {"error": {code, message, details}}. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly http: HttpServer) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception; // formatted by the GraphQL formatter
    const context = host.switchToHttp();
    const request = context.getRequest<{ id?: string }>();
    const response = context.getResponse<unknown>();
    const mapped = mapError(exception, request?.id);
    if (mapped.unexpected) {
      this.logger.error({ requestId: request?.id, err: exception }, 'Unexpected error');
    }
    if (this.http.isHeadersSent(response)) return undefined;
    const retryAfter = (exception as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
    if (mapped.status === 429 && retryAfter) this.http.setHeader(response, 'Retry-After', String(retryAfter));
    this.http.reply(response, mapped.body, mapped.status);
    return undefined;
  }
}
