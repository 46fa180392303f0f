import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { personLabel } from '../persons/person';
import { PersonsService } from '../persons/persons.service';
import type { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { ROLES, type Principal, type Role } from './roles';

/** `rbcd_<12-char lookup prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole key proves it. */
const KEY_PATTERN = /^rbcd_([a-z0-9]{12})_([A-Za-z0-9_-]{32,})$/;
const BOOTSTRAP_NAME = 'bootstrap-admin';
/** lastUsedAt is a hint for admins, not an access log: written at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedApiKey {
  id: string;
  name: string;
  roles: Role[];
  mayActOnBehalf: boolean;
  /** A person's key: the owner's UPN (or name). Null: a system key. */
  owner: string | null;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  key?: string;
}

/** One-shot digest (crypto.hash: no Hash object per call; the key is verified on every request). */
function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

function sameHash(a: Buffer, expected: string | Buffer): boolean {
  const b = typeof expected === 'string' ? Buffer.from(expected, 'hex') : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Issues, lists, revokes and verifies API keys (issued, static from YAML, and the bootstrap admin key). */
@Injectable()
export class ApiKeysService {
  /** SHA-256 of the bootstrap admin key, computed once (not per request). */
  private readonly adminKeyHash: Buffer | null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
  ) {
    this.adminKeyHash = config.adminApiKey ? sha256(config.adminApiKey) : null;
  }

  async issue(
    input: { name: string; roles: Role[]; mayActOnBehalf?: boolean; owner?: string },
    createdBy: Principal,
  ): Promise<IssuedApiKey> {
    const roles = [...new Set(input.roles)];
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
      throw new DomainError('VALIDATION_FAILED', `roles must be a non-empty list of: ${ROLES.join(', ')}`);
    }
    if (input.name === BOOTSTRAP_NAME)
      throw new DomainError('VALIDATION_FAILED', `the name ${BOOTSTRAP_NAME} is reserved`, {
        fields: { name: ['reserved'] },
      });
    if (input.owner && input.mayActOnBehalf) {
      throw new DomainError(
        'VALIDATION_FAILED',
        "A person's key (owner) may not act on behalf of others; issue a system key (no owner) for that",
        { fields: { mayActOnBehalf: ['not with owner'] } },
      );
    }
    // A person's key: the owner must be exactly one AD user now (422 PERSON_NOT_RESOLVED otherwise).
    const ownerPerson = input.owner ? await this.persons.resolveUser(input.owner) : null;
    const prefix = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const key = `rbcd_${prefix}_${randomBytes(32).toString('base64url')}`;
    const entity: ApiKeyEntity = {
      id: randomUUID(),
      name: input.name,
      roles,
      prefix,
      keyHash: sha256(key).toString('hex'),
      mayActOnBehalf: input.mayActOnBehalf ?? false,
      createdBy: createdBy.id,
      createdAt: this.clock.nowIso(),
      lastUsedAt: null,
      revokedAt: null,
      owner: ownerPerson ? personLabel(ownerPerson) : null,
      ownerPerson,
    };
    await this.uow.run(async (m) => {
      await this.keys.insert(m, entity);
      await this.audit.append(m, {
        actor: createdBy.id,
        type: 'apikey.created',
        data: {
          id: entity.id,
          name: entity.name,
          roles,
          mayActOnBehalf: entity.mayActOnBehalf,
          owner: entity.owner,
          ownerSid: ownerPerson?.sid ?? null,
        },
      });
    });
    return { ...toIssuedKey(entity), key };
  }

  async list(): Promise<IssuedApiKey[]> {
    return (await this.keys.active()).map(toIssuedKey);
  }

  async revoke(id: string, revokedBy: Principal): Promise<void> {
    await this.uow.run(async (m) => {
      const row = await this.keys.activeById(id, m);
      if (!row) throw new DomainError('API_KEY_NOT_FOUND', `No active API key with id ${id}`);
      await this.keys.revoke(m, id, this.clock.nowIso());
      await this.audit.append(m, { actor: revokedBy.id, type: 'apikey.revoked', data: { id, name: row.name } });
    });
  }

  /** The principal a presented key stands for, or null when it is not a valid key. */
  async verify(presented: string): Promise<Principal | null> {
    const hash = sha256(presented);
    if (this.adminKeyHash && sameHash(hash, this.adminKeyHash)) {
      return {
        id: `apikey:${BOOTSTRAP_NAME}`,
        name: BOOTSTRAP_NAME,
        roles: ['admin'],
        via: 'api-key',
        mayActOnBehalf: true,
      };
    }
    for (const key of this.config.apiKeys) {
      if (sameHash(hash, key.sha256)) {
        // A static person's key: its owner is looked up (cached) when used; one that no longer names a user is refused.
        const person = key.owner
          ? await this.persons.resolveUser(key.owner).catch((error: unknown) => this.ownerGone(key.name, error))
          : null;
        return {
          id: `apikey:${key.name}`,
          name: key.name,
          roles: key.roles as Role[],
          via: 'api-key',
          mayActOnBehalf: key.mayActOnBehalf ?? false,
          person,
        };
      }
    }
    const match = KEY_PATTERN.exec(presented);
    if (!match) return null;
    const row = await this.keys.activeByPrefix(match[1]);
    if (!row || !sameHash(hash, row.keyHash)) return null;
    this.noteUse(row);
    return {
      id: `apikey:${row.name}`,
      name: row.name,
      roles: row.roles as Role[],
      via: 'api-key',
      mayActOnBehalf: row.mayActOnBehalf,
      person: row.ownerPerson ?? null,
    };
  }

  private ownerGone(name: string, error: unknown): never {
    if (error instanceof DomainError && error.code === 'PERSON_NOT_RESOLVED') {
      throw new DomainError(
        'FORBIDDEN',
        `The owner of API key ${name} ${error.message.replace(/^"[^"]*" /, '')}; the key stands for no person`,
      );
    }
    throw error;
  }

  private noteUse(row: ApiKeyEntity): void {
    const now = this.clock.now();
    if (row.lastUsedAt && now.getTime() - Date.parse(row.lastUsedAt) < LAST_USED_RESOLUTION_MS) return;
    void this.keys.noteUse(row.id, now.toISOString()).catch(() => undefined);
  }
}

function toIssuedKey(row: ApiKeyEntity): IssuedApiKey {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles as Role[],
    mayActOnBehalf: row.mayActOnBehalf,
    owner: row.owner ?? null,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt,
  };
}
