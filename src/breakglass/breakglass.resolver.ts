import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/roles';
import { Roles } from '../auth/roles.decorator';
import { BreakGlassInput } from '../requests/inputs/request.inputs';
import { ReviewRequestMutationInput } from '../requests/inputs/request-arguments.inputs';
import { RequestModel } from '../requests/models/request.model';
import { BreakGlassService } from './breakglass.service';

@Resolver()
export class BreakGlassResolver {
  constructor(private readonly service: BreakGlassService) {}

  @Mutation(() => RequestModel, { description: 'Emergency grant: applies at once, reviewed afterwards' })
  @Roles('breakglass')
  breakGlass(@Args('input') input: BreakGlassInput, @CurrentPrincipal() caller: Principal) {
    return this.service.file(input, caller);
  }

  @Mutation(() => RequestModel, { description: 'Post-hoc review of a break-glass request: confirm or revoke' })
  @Roles('approver')
  reviewRequest(@Args() { id, input }: ReviewRequestMutationInput, @CurrentPrincipal() caller: Principal) {
    return this.service.review(id, caller, input.outcome, input.comment);
  }
}
