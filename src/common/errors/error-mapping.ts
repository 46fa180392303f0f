import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, type ErrorBody } from './domain-error';
import { ERROR_STATUS, type ErrorCode } from './error-codes';

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when the error was not expected: log it with its stack, show the caller nothing of it. */
  unexpected: boolean;
}

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
};

/** The one mapping from anything thrown to the contract's error body; used by every transport. */
export function mapError(error: unknown, requestId?: string): MappedError {
  if (error instanceof DomainError) {
    return { status: error.status, body: body(error.code, error.message, error.details), unexpected: false };
  }
  if (isCodedError(error)) {
    const code = error.code as ErrorCode;
    const details = 'field' in error ? { field: error.field, offset: error.offset } : undefined;
    return { status: ERROR_STATUS[code], body: body(code, error.message, details), unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
    const response = error.getResponse();
    const message =
      status === HttpStatus.NOT_FOUND ? 'No such route' : typeof response === 'string' ? response : error.message;
    return { status, body: body(code, message), unexpected: false };
  }
  if (isRequestParsingError(error)) {
    // Raised by the HTTP platform before any handler ran: bad URL or JSON, too large, unsupported type.
    const status = error.statusCode;
    return { status, body: body(HTTP_STATUS_CODES[status] ?? 'VALIDATION_FAILED', error.message), unexpected: false };
  }
  return {
    status: 500,
    body: body(
      'INTERNAL_ERROR',
      'Unexpected error; quote the request id to an operator',
      requestId ? { requestId } : undefined,
    ),
    unexpected: true,
  };
}

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** Framework-free errors (e.g. the security-descriptor codec) carry a code from the contract. */
function isCodedError(error: unknown): error is Error & { code: string; field?: string; offset?: number } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code in ERROR_STATUS
  );
}

/** Fastify's own client errors (FST_ERR_*: malformed URL, invalid JSON, body too large, unsupported media type). */
function isRequestParsingError(error: unknown): error is Error & { statusCode: number } {
  if (!(error instanceof Error)) return false; // also a thrown null or string: never a crash here
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  );
}
