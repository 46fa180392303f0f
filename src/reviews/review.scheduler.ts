import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RepeatingTimer } from '../common/repeating-timer';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { ReviewsService } from './reviews.service';

/** Closes campaigns past dueAt (undecided entries follow defaultDecision). Runs with the worker; tests call closeDue(). */
@Injectable()
export class ReviewScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReviewScheduler.name);
  private readonly timer = new RepeatingTimer(
    () => this.closeDue(),
    (error) => this.logger.error({ err: error }, 'access review close failed'),
  );

  constructor(
    private readonly reviews: ReviewsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.worker) this.timer.start(this.config.jobs.expiryCheckIntervalMs, 0);
  }

  onApplicationShutdown(): void {
    this.timer.stop();
  }

  closeDue(): Promise<number> {
    return this.reviews.closeDue();
  }
}
