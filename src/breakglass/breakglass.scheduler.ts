import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RepeatingTimer } from '../common/repeating-timer';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { RequestsService } from '../requests/requests.service';

/**
 * Escalates break-glass requests nobody reviewed within the rule's reviewWithin: once each, as a
 * `request.breakglass-escalated` audit event and a `request.breakglass.escalated` webhook / chat
 * message. Runs with the worker, on the expiry check's interval; tests call escalateDue().
 */
@Injectable()
export class BreakGlassScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BreakGlassScheduler.name);
  private readonly timer = new RepeatingTimer(
    () => this.escalateDue(),
    (error) => this.logger.error({ err: error }, 'break-glass review check failed'),
  );

  constructor(
    private readonly requests: RequestsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.worker) this.timer.start(this.config.jobs.expiryCheckIntervalMs, 0);
  }

  onApplicationShutdown(): void {
    this.timer.stop();
  }

  escalateDue(): Promise<number> {
    return this.requests.escalateOverdueReviews();
  }
}
