import { Injectable } from '@nestjs/common';
import { type EntityManager, IsNull, LessThan } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { ReviewCampaignEntity, ReviewItemEntity } from './review.entities';

const INSERT_CHUNK = 100;

/** The only code that reads or writes review_campaigns and review_items. */
@Injectable()
export class ReviewRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(m: EntityManager, campaign: ReviewCampaignEntity, items: ReviewItemEntity[]): Promise<void> {
    await m.getRepository(ReviewCampaignEntity).insert(campaign);
    for (let i = 0; i < items.length; i += INSERT_CHUNK)
      await m.getRepository(ReviewItemEntity).insert(items.slice(i, i + INSERT_CHUNK));
  }

  campaign(id: string, m: EntityManager = this.uow.manager): Promise<ReviewCampaignEntity | null> {
    return m.getRepository(ReviewCampaignEntity).findOne({ where: { id } });
  }

  /** The campaign row locked for a decision or the close (PostgreSQL; SQLite serialises writers). */
  lockCampaign(m: EntityManager, id: string): Promise<ReviewCampaignEntity | null> {
    const repo = m.getRepository(ReviewCampaignEntity);
    return this.uow.isPostgres
      ? repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
      : repo.findOne({ where: { id } });
  }

  campaigns(limit: number): Promise<ReviewCampaignEntity[]> {
    return this.uow.manager.getRepository(ReviewCampaignEntity).find({ order: { createdAt: 'DESC' }, take: limit });
  }

  items(campaignId: string, m: EntityManager = this.uow.manager): Promise<ReviewItemEntity[]> {
    return m
      .getRepository(ReviewItemEntity)
      .find({ where: { campaignId }, order: { targetDn: 'ASC', principalSid: 'ASC' } });
  }

  item(m: EntityManager, campaignId: string, id: string): Promise<ReviewItemEntity | null> {
    return m.getRepository(ReviewItemEntity).findOne({ where: { campaignId, id } });
  }

  undecided(m: EntityManager, campaignId: string): Promise<ReviewItemEntity[]> {
    return m.getRepository(ReviewItemEntity).find({ where: { campaignId, decision: IsNull() } });
  }

  async saveItem(m: EntityManager, item: ReviewItemEntity): Promise<void> {
    await m.getRepository(ReviewItemEntity).save(item);
  }

  async close(m: EntityManager, id: string, at: string): Promise<void> {
    await m.getRepository(ReviewCampaignEntity).update({ id }, { status: 'closed', closedAt: at });
  }

  /** Open campaigns past their dueAt. */
  due(now: string): Promise<ReviewCampaignEntity[]> {
    return this.uow.manager
      .getRepository(ReviewCampaignEntity)
      .find({ where: { status: 'open', dueAt: LessThan(now) }, take: 50 });
  }
}
