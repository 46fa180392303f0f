import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { GrantStoreModule } from '../grants/grant-store.module';
import { RequestsModule } from '../requests/requests.module';
import { StandingModule } from '../standing/standing.module';
import { ReviewRepository } from './review.repository';
import { ReviewScheduler } from './review.scheduler';
import { ReviewsController } from './reviews.controller';
import { ReviewsResolver } from './reviews.resolver';
import { ReviewsService } from './reviews.service';

/** Access review campaigns (issue 14 §4). */
@Module({
  imports: [AuditModule, DirectoryModule, GrantStoreModule, RequestsModule, StandingModule],
  controllers: [ReviewsController],
  providers: [ReviewsService, ReviewRepository, ReviewScheduler, ReviewsResolver],
  exports: [ReviewsService, ReviewScheduler],
})
export class ReviewsModule {}
