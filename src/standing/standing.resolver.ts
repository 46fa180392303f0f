import { Args, Query, Resolver } from '@nestjs/graphql';
import { StandingQueryInput } from './inputs/standing.inputs';
import { StandingPageModel } from './models/standing.model';
import { StandingService } from './standing.service';

@Resolver()
export class StandingResolver {
  constructor(private readonly standing: StandingService) {}

  @Query(() => StandingPageModel, { description: 'RBCD entries in force that no active grant covers' })
  standingEntries(@Args() query: StandingQueryInput) {
    return this.standing.list(query);
  }
}
