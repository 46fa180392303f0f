import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/roles';
import { Roles } from '../auth/roles.decorator';
import { DecideReviewItemMutationInput, OpenReviewInput, ReviewCampaignIdInput } from './inputs/review.inputs';
import { ReviewCampaignModel, ReviewItemModel } from './models/review.model';
import { ReviewsService } from './reviews.service';

@Resolver()
export class ReviewsResolver {
  constructor(private readonly reviews: ReviewsService) {}

  @Query(() => ReviewCampaignModel, { description: 'One access review campaign with every entry' })
  reviewCampaign(@Args() { id }: ReviewCampaignIdInput) {
    return this.reviews.get(id);
  }

  @Query(() => [ReviewCampaignModel], { description: 'Access review campaigns, newest first' })
  @Roles('approver', 'auditor')
  reviewCampaigns() {
    return this.reviews.list();
  }

  @Mutation(() => ReviewCampaignModel, { description: 'Open an access review campaign' })
  @Roles('approver')
  openReview(@Args('input') input: OpenReviewInput, @CurrentPrincipal() caller: Principal) {
    return this.reviews.open(input, caller);
  }

  @Mutation(() => ReviewItemModel, { description: "A reviewer's keep or remove, with a comment" })
  decideReviewItem(
    @Args() { campaignId, itemId, input }: DecideReviewItemMutationInput,
    @CurrentPrincipal() caller: Principal,
  ) {
    return this.reviews.decide(campaignId, itemId, caller, input.decision, input.comment);
  }
}
