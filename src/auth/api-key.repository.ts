import { Injectable } from '@nestjs/common';
import { type EntityManager, IsNull } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKeyEntity } from './api-key.entity';

/** The only code that reads or writes api_keys. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(m: EntityManager, key: ApiKeyEntity): Promise<void> {
    await m.getRepository(ApiKeyEntity).insert(key);
  }

  /** Keys not revoked, oldest first. */
  active(): Promise<ApiKeyEntity[]> {
    return this.uow.manager
      .getRepository(ApiKeyEntity)
      .find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  /** The key with this id, unless it is revoked. */
  activeById(id: string, m: EntityManager = this.uow.manager): Promise<ApiKeyEntity | null> {
    return m.getRepository(ApiKeyEntity).findOne({ where: { id, revokedAt: IsNull() } });
  }

  /** The key with this lookup prefix, unless it is revoked. */
  activeByPrefix(prefix: string): Promise<ApiKeyEntity | null> {
    return this.uow.manager.getRepository(ApiKeyEntity).findOne({ where: { prefix, revokedAt: IsNull() } });
  }

  async revoke(m: EntityManager, id: string, at: string): Promise<void> {
    await m.getRepository(ApiKeyEntity).update({ id }, { revokedAt: at });
  }

  /** Records a use of the key, in a transaction of its own. */
  async noteUse(id: string, at: string): Promise<void> {
    await this.uow.run((m) => m.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt: at }));
  }
}
