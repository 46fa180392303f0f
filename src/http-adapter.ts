import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './common/errors/domain-error';
import { mapError } from './common/errors/error-mapping';
import { serializeAnswer } from './common/http/shared-answers';
import { MAX_BODY_DEPTH, nestedDeeperThan } from './common/limits/body-depth';
import type { AppConfig } from './config/config.types';

/** The largest request body accepted (JSON or form), in bytes: larger ones get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The request id (Fastify's request.id): the caller's X-Request-Id when it is sane, otherwise a
 * new UUID. The same id is in the response header, the request's log line and any error body.
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The HTTP platform: Fastify (about five times the request rate of Express under Nest on the same
 * core, see bench/read-api). Trailing slashes are ignored, as Express did. `trustProxy` says whose
 * X-Forwarded-For gives the client address (RBCD_TRUST_PROXY; nobody's by default).
 */
export function createHttpAdapter(options: { trustProxy?: AppConfig['trustProxy'] } = {}): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? false,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    // Errors the router raises before any route runs (a malformed %-escape): the same error body.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const mapped = mapError(error, request.id);
      void reply.code(mapped.status).header('X-Request-Id', request.id).send(mapped.body);
    },
    // Errors Node's HTTP parser raises before Fastify sees a request (431 headers too large, 408, 400).
    clientErrorHandler: answerClientError,
    // Long path parameters reach validation (400 with a code) instead of the router's bare 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8192 },
  });
  // Before any route is registered (a route keeps the serializer it was registered with).
  adapter.getInstance().setReplySerializer(serializeAnswer);
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  // A body nested without bound would make class-transformer/class-validator (which recurse)
  // overflow the stack: it is refused here, after parsing and before any pipe walks it.
  adapter.getInstance().addHook('preValidation', (request, _reply, done) => {
    if (nestedDeeperThan(request.body, MAX_BODY_DEPTH)) {
      done(
        new DomainError('VALIDATION_FAILED', `The body nests objects or arrays deeper than ${MAX_BODY_DEPTH} levels`, {
          maxDepth: MAX_BODY_DEPTH,
        }),
      );
      return;
    }
    done();
  });
  return adapter;
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
};

/**
 * Node's HTTP parser refused the request (headers too large, a timeout, malformed HTTP): no route
 * ran, so the answer is written to the socket here, with the contract's error body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, message: 'The request is not valid HTTP' };
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: known.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
