import { Injectable } from '@nestjs/common';
import type { JobEntity, JobKind } from './job.entity';

export type JobHandler = (job: JobEntity) => Promise<void>;

/**
 * Job kinds that a feature module handles (timers): the feature registers its handler at start, so
 * the worker runs it without importing the feature.
 */
@Injectable()
export class JobHandlers {
  private readonly handlers = new Map<JobKind, JobHandler>();

  register(kind: JobKind, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  async run(job: JobEntity): Promise<void> {
    const handler = this.handlers.get(job.kind);
    if (!handler) throw new Error(`No handler for ${job.kind} jobs in this process`);
    await handler(job);
  }
}
