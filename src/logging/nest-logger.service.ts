import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';

type PinoMethod = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's LoggerService on pino: `new Logger('Ctx').warn('text')` and `.error({ err, requestId }, 'text')`
 * become one JSON line with `context`. Nest passes the context as the last extra argument; an
 * error's stack (Nest's `error(message, stack, context)`) is kept as `stack`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  setLogLevels(_levels: LogLevel[]): void {
    // The level comes from LOG_LEVEL (config); Nest's own filter is not used.
  }

  private write(level: PinoMethod, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const extra = [...rest];
    const context =
      extra.length > 0 && typeof extra[extra.length - 1] === 'string' ? (extra.pop() as string) : undefined;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.pino[level]({ context, ...(message as object) }, typeof extra[0] === 'string' ? extra[0] : '');
    } else {
      const stack =
        level === 'error' && typeof extra[0] === 'string' && extra[0].includes('\n    at ') ? extra[0] : undefined;
      this.pino[level]({ context, stack }, String(message));
    }
  }
}
