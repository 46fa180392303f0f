import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { StandingPageModel } from './models/standing.model';
import { StandingService } from './standing.service';

@Resolver()
export class StandingResolver {
  constructor(private readonly standing: StandingService) {}

  @Query(() => StandingPageModel, { description: 'RBCD entries in force that no active grant covers' })
  standingEntries(
    @Args('base', { nullable: true }) base?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
  ) {
    return this.standing.list({ base, limit, cursor });
  }
}
