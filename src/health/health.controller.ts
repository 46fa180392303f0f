import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { DirectoryHealthIndicator } from './directory.health';
import { LivenessModel, ReadinessModel } from './health.models';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly directory: DirectoryHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ type: LivenessModel })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'The database and each configured domain controller answer; 503 NOT_READY names what does not, with every component in details',
  })
  @ApiOkResponse({ type: ReadinessModel })
  @ApiErrors(503, 500)
  async ready() {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 3000 }),
        () => this.directory.check(),
      ]);
    } catch (error) {
      throw notReady(error);
    }
  }
}

/**
 * A failed check as the contract's error body (503 NOT_READY), with every component's state in
 * `details` (database, directory by domain) and the failing ones named in the message: an operator
 * reads the reason from the probe itself, not only from the log.
 */
function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const result = error.getResponse() as {
    details?: Record<string, Record<string, unknown>>;
    error?: Record<string, Record<string, unknown>>;
  };
  const details = result.details ?? {};
  const failing = Object.entries(result.error ?? {}).map(([component, state]) => `${component} (${describe(state)})`);
  return new DomainError('NOT_READY', `Not ready: ${failing.join('; ') || 'a check failed'}`, details);
}

function describe(state: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(state)) {
    if (key === 'status') continue;
    if (value && typeof value === 'object') {
      const inner = value as { status?: string; error?: string; message?: string };
      if (inner.status === 'up') continue;
      parts.push(`${key}: ${inner.error ?? inner.message ?? inner.status ?? 'down'}`);
    } else {
      parts.push(`${key}: ${String(value)}`);
    }
  }
  return parts.join('; ') || String(state.status ?? 'down');
}
