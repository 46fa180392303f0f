import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { ApiKeyEntity } from './api-key.entity';
import { ROLES, type Principal, type Role } from './roles';

const KEY_PATTERN = /^rbcd_([a-z0-9]{12})_([A-Za-z0-9_-]{32,})$/;

export interface IssuedApiKey {
  id: string;
  name: string;
  roles: Role[];
  mayActOnBehalf: boolean;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  key?: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sameHash(a: Buffer, hex: string): boolean {
  const b = Buffer.from(hex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Issues, lists, revokes and verifies API keys (issued, static from YAML, and the bootstrap admin key). */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async issue(input: { name: string; roles: Role[]; mayActOnBehalf?: boolean }, createdBy: Principal): Promise<IssuedApiKey> {
    const roles = [...new Set(input.roles)];
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
      throw new DomainError('VALIDATION_FAILED', `roles must be a non-empty list of: ${ROLES.join(', ')}`);
    }
    const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
    const key = `rbcd_${prefix}_${randomBytes(24).toString('base64url')}`;
    const entity = this.keys.create({
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
    });
    await this.keys.insert(entity);
    return { ...toIssuedKey(entity), key };
  }

  async list(): Promise<IssuedApiKey[]> {
    const rows = await this.keys.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return rows.map(toIssuedKey);
  }

  async revoke(id: string): Promise<void> {
    const result = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: this.clock.nowIso() });
    if (!result.affected) throw new DomainError('API_KEY_NOT_FOUND', `No active API key with id ${id}`);
  }

  /** The principal a presented key stands for, or null when it is not a valid key. */
  async verify(presented: string): Promise<Principal | null> {
    const hash = sha256(presented);
    if (this.config.adminApiKey && sameHash(hash, sha256(this.config.adminApiKey).toString('hex'))) {
      return { id: 'apikey:bootstrap-admin', name: 'bootstrap-admin', roles: ['admin'], via: 'api-key', mayActOnBehalf: true };
    }
    for (const key of this.config.apiKeys) {
      if (sameHash(hash, key.sha256)) {
        return { id: `apikey:${key.name}`, name: key.name, roles: key.roles as Role[], via: 'api-key', mayActOnBehalf: key.mayActOnBehalf };
      }
    }
    const match = KEY_PATTERN.exec(presented);
    if (!match) return null;
    const row = await this.keys.findOne({ where: { prefix: match[1], revokedAt: IsNull() } });
    if (!row || !sameHash(hash, row.keyHash)) return null;
    void this.keys.update({ id: row.id }, { lastUsedAt: this.clock.nowIso() }).catch(() => undefined);
    return { id: `apikey:${row.name}`, name: row.name, roles: row.roles as Role[], via: 'api-key', mayActOnBehalf: row.mayActOnBehalf };
  }
}

function toIssuedKey(row: ApiKeyEntity): IssuedApiKey {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles as Role[],
    mayActOnBehalf: row.mayActOnBehalf,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt,
  };
}
