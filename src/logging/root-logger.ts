import pino, { type DestinationStream, type Logger } from 'pino';

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

/**
 * The one pino logger of the process: JSON lines on stdout (or the given stream), each naming the
 * service, with credentials redacted. Request lines and application lines both go through it.
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'rbcd-broker' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
