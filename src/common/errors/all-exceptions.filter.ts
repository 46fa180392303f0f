import { ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from './error-mapping';

/** Every REST failure (404 on unknown routes included) becomes {"error": {code, message, details}}. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception; // formatted by the GraphQL formatter
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const mapped = mapError(exception, request?.id);
    if (mapped.unexpected) {
      this.logger.error({ requestId: request?.id, err: exception }, 'Unexpected error');
    }
    if (mapped.status === 429 && (exception as { retryAfterSeconds?: number }).retryAfterSeconds) {
      response.setHeader('Retry-After', String((exception as { retryAfterSeconds: number }).retryAfterSeconds));
    }
    if (!response.headersSent) response.status(mapped.status).json(mapped.body);
    return undefined;
  }
}
