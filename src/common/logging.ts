import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config.types';
import { requestIdOf } from '../http-adapter';

/** Paths pino removes from every log line: credentials must never reach a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.bindPassword',
  '*.key',
  '*.secret',
  '*.signingSecret',
  '*.token',
];

/** Structured JSON logs with a request id (taken from X-Request-Id when sane, else generated: see requestIdOf). */
export function loggerOptions(config: AppConfig): Params {
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => requestIdOf(req),
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
      customProps: () => ({ service: 'rbcd-broker' }),
    },
  };
}
