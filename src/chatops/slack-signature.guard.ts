import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type RawBodyRequest,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { ReplayGuard } from './replay-guard';
import { MAX_SIGNATURE_AGE_SECONDS, verifySlackSignature } from './slack-signature';

/**
 * Guards the chat callbacks (which are @Public: Slack holds no API key): the signing secret over
 * the raw body, a fresh timestamp, and each signature accepted once (an exact replay inside the
 * five-minute window is refused too, by every replica). Chat not configured: 404.
 */
@Injectable()
export class SlackSignatureGuard implements CanActivate {
  private readonly logger = new Logger(SlackSignatureGuard.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly replays: ReplayGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const secret = this.config.chat.slack?.signingSecret;
    if (!secret) throw new DomainError('NOT_FOUND', 'Chat is not enabled (no Slack signing secret is configured)');
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest>>();
    if (!Buffer.isBuffer(request.rawBody)) {
      this.logger.warn(
        'No raw body on a chat callback: the app must be created with { rawBody: true } and the body be form-encoded',
      );
      throw new DomainError('UNAUTHENTICATED', 'The signature cannot be verified: send the body form-encoded');
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const now = this.clock.now().getTime();
    const signature = header('x-slack-signature');
    const check = verifySlackSignature({
      secret,
      timestamp: header('x-slack-request-timestamp'),
      signature,
      rawBody: request.rawBody,
      nowSeconds: Math.floor(now / 1000),
    });
    if (!check.ok) throw new DomainError('UNAUTHENTICATED', check.reason);
    // Timestamps up to five minutes in the future are accepted, so remember for both halves.
    if (!(await this.replays.firstSighting(signature as string, 2 * MAX_SIGNATURE_AGE_SECONDS * 1000))) {
      throw new DomainError('UNAUTHENTICATED', 'This signed request was already received (replay)');
    }
    return true;
  }
}
