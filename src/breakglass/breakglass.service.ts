import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/roles';
import type { RequestView } from '../requests/request.view';
import type { ReviewOutcome } from '../requests/request.entity';
import { RequestsService } from '../requests/requests.service';

export interface BreakGlassInput {
  targets: string[];
  principals: string[];
  justification: string;
  ticket: { system: string; id: string; url?: string };
  duration?: string;
}

/**
 * Break-glass (issue 14): an emergency grant that applies at once, without approvals, only where a
 * policy rule says `breakGlass: {allowed: true}`, never on Tier 0; loud (audit, webhook, every
 * approver told) and reviewed afterwards. The request lifecycle stays in RequestsService.
 */
@Injectable()
export class BreakGlassService {
  constructor(private readonly requests: RequestsService) {}

  file(input: BreakGlassInput, caller: Principal): Promise<RequestView> {
    return this.requests.create({ ...input, action: 'grant', emergency: true }, caller);
  }

  review(id: string, caller: Principal, outcome: ReviewOutcome, comment: string): Promise<RequestView> {
    return this.requests.review(id, caller, outcome, comment);
  }
}
