// Every TypeORM entity of the service, listed once for the DataSource.
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AuditSinkPositionEntity } from '../audit/sinks/audit-sink-position.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { RateLimitHitEntity } from '../auth/rate-limit-hit.entity';
import { SeenSignatureEntity } from '../chatops/seen-signature.entity';
import { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { GrantEntity } from '../grants/grant.entity';
import { WriterBaselineEntity } from '../policy/writer-baseline.entity';
import { JobEntity } from '../jobs/job.entity';
import { ApprovalEntity } from '../requests/approval.entity';
import { RequestEntity } from '../requests/request.entity';
import { ReviewCampaignEntity, ReviewItemEntity } from '../reviews/review.entities';

export const ALL_ENTITIES: (new () => unknown)[] = [
  ApiKeyEntity,
  RequestEntity,
  ApprovalEntity,
  JobEntity,
  GrantEntity,
  AuditEventEntity,
  RateLimitHitEntity,
  SeenSignatureEntity,
  DirectoryIntentEntity,
  AuditSinkPositionEntity,
  WriterBaselineEntity,
  ReviewCampaignEntity,
  ReviewItemEntity,
];
