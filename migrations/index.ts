// Every migration, in order. Never edit one that has shipped: add a new one.
import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { SharedLimits1764100000000 } from './1764100000000-shared-limits';
import { DirectoryIntents1764200000000 } from './1764200000000-directory-intents';
import { PersonsAndOwners1764300000000 } from './1764300000000-persons-and-owners';
import { AuditSinkPositions1764400000000 } from './1764400000000-audit-sink-positions';
import { GrantsInTime1764500000000 } from './1764500000000-grants-in-time';
import { AdoptionAndBreakGlass1764600000000 } from './1764600000000-adoption-and-break-glass';
import { AccessReviews1764600000001 } from './1764600000001-access-reviews';
import { WriterBaselines1765000000000 } from './1765000000000-writer-baselines';

export const ALL_MIGRATIONS: (new () => unknown)[] = [
  InitialSchema1764000000000,
  SharedLimits1764100000000,
  DirectoryIntents1764200000000,
  PersonsAndOwners1764300000000,
  AuditSinkPositions1764400000000,
  GrantsInTime1764500000000,
  AdoptionAndBreakGlass1764600000000,
  AccessReviews1764600000001,
  WriterBaselines1765000000000,
];
