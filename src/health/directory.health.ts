import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DirectoryPort } from '../directory/directory.port';

/** Ready only when every configured domain has a DC that answers; says which one. */
@Injectable()
export class DirectoryHealthIndicator {
  constructor(
    private readonly directory: DirectoryPort,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check() {
    const statuses = await this.directory.status();
    const byDomain: Record<string, { status: 'up' | 'down'; dc?: string; error?: string }> = {};
    for (const s of statuses) {
      if (byDomain[s.domain]?.status === 'up') continue;
      byDomain[s.domain] = s.ok ? { status: 'up', dc: s.url } : { status: 'down', error: s.error };
    }
    if (statuses.length === 0) return this.indicator.check('directory').down({ error: 'no domain is configured' });
    const up = Object.values(byDomain).every((d) => d.status === 'up');
    const session = this.indicator.check('directory');
    return up ? session.up(byDomain) : session.down(byDomain);
  }
}
