import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { JobEntity, JobKind } from './job.entity';

/** What the runner tells a handler about the run. */
export interface JobContext {
  /** No attempt follows this one when it fails (never true for a kind that retries forever). */
  lastAttempt: boolean;
}

export type JobHandler = (job: JobEntity, context: JobContext) => Promise<unknown>;

export interface JobHandlerOptions {
  /** Retried for as long as it takes (a grant must end, a failed one be taken back, an audit stream catch up). */
  retryForever?: boolean;
  /** Which failures are worth another attempt; by default a directory that is down or busy. */
  retryable?: (error: unknown) => boolean;
  /** Talks to an outside receiver: runs alongside the others instead of one at a time. */
  outbound?: boolean;
}

/** Thrown by a handler to have its job run again at a given time, without counting a failed attempt. */
export class RetryAt extends Error {
  constructor(
    readonly at: Date,
    message: string,
  ) {
    super(message);
  }
}

/** The default of `retryable`: the directory was unreachable, changed under us, or refused the credentials. */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof DomainError &&
    (error.code === 'DIRECTORY_UNAVAILABLE' ||
      error.code === 'DESCRIPTOR_CHANGED' ||
      error.code === 'DIRECTORY_CREDENTIALS_REFUSED')
  );
}

interface Registration extends JobHandlerOptions {
  handler: JobHandler;
}

/**
 * What runs each job kind. The module that owns the work registers its handler at start (grants:
 * apply, end-grant, rollback; notifications: webhook; audit: audit-sink; requests: timer), so the
 * worker runs it without importing the feature.
 */
@Injectable()
export class JobHandlers {
  private readonly handlers = new Map<JobKind, Registration>();

  register(kind: JobKind, handler: JobHandler, options: JobHandlerOptions = {}): void {
    this.handlers.set(kind, { ...options, handler });
  }

  /** The registration of `kind`; throws when no module of this process handles it. */
  of(kind: JobKind): Registration {
    const registration = this.handlers.get(kind);
    if (!registration) throw new Error(`No handler for ${kind} jobs in this process`);
    return registration;
  }

  isOutbound(kind: JobKind): boolean {
    return this.handlers.get(kind)?.outbound === true;
  }

  async run(job: JobEntity, context: JobContext = { lastAttempt: false }): Promise<void> {
    await this.of(job.kind).handler(job, context);
  }
}
