import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
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
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly requests: RequestsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.worker) return;
    const tick = () =>
      this.escalateDue()
        .catch((error) => this.logger.error({ err: error }, 'break-glass review check failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.config.jobs.expiryCheckIntervalMs);
        });
    this.timer = setTimeout(tick, 0);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  escalateDue(): Promise<number> {
    return this.requests.escalateOverdueReviews();
  }
}
