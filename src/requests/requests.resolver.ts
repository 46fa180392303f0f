import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { OwnersMay, Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import {
  CreateRequestMutationInput,
  ExtendRequestMutationInput,
  RequestCommentInput,
  RequestIdInput,
  RequestPageInput,
  RequestRequiredCommentInput,
} from './inputs/request-arguments.inputs';
import { ExtensionsService } from './extensions.service';
import { RequestModel, RequestPageModel } from './models/request.model';
import { RequestsService } from './requests.service';

@Resolver(() => RequestModel)
export class RequestsResolver {
  constructor(
    private readonly service: RequestsService,
    private readonly extensions: ExtensionsService,
  ) {}

  @Query(() => RequestModel)
  // breakglass too: whoever filed an emergency request must be able to follow it (status, review due).
  @Roles('requester', 'approver', 'auditor', 'breakglass')
  request(@Args() { id }: RequestIdInput) {
    return this.service.get(id);
  }

  @Query(() => RequestPageModel)
  @Roles('requester', 'approver', 'auditor')
  requests(@Args() { filter, first, after }: RequestPageInput) {
    return this.service.list({ ...filter, limit: first, cursor: after });
  }

  @Mutation(() => RequestModel)
  @Roles('requester')
  requestDelegation(
    @Args() { input, idempotencyKey }: CreateRequestMutationInput,
    @CurrentPrincipal() caller: Principal,
  ) {
    return this.service.create(input, caller, idempotencyKey);
  }

  @Mutation(() => RequestModel)
  @Roles('approver')
  @OwnersMay()
  approveRequest(@Args() { id, comment }: RequestCommentInput, @CurrentPrincipal() caller: Principal) {
    return this.service.approve(id, caller, comment);
  }

  @Mutation(() => RequestModel)
  @Roles('approver')
  @OwnersMay()
  rejectRequest(@Args() { id, comment }: RequestRequiredCommentInput, @CurrentPrincipal() caller: Principal) {
    return this.service.reject(id, caller, comment);
  }

  @Mutation(() => RequestModel)
  @Roles('requester')
  cancelRequest(@Args() { id }: RequestIdInput, @CurrentPrincipal() caller: Principal) {
    return this.service.cancel(id, caller);
  }

  @Mutation(() => RequestModel, { description: 'Ask for more time on an applied grant: returns the extension request' })
  @Roles('requester')
  extendRequest(@Args() { id, input }: ExtendRequestMutationInput, @CurrentPrincipal() caller: Principal) {
    return this.extensions.extend(id, input, caller);
  }

  @Mutation(() => RequestModel)
  @Roles('requester', 'approver')
  revokeRequest(@Args() { id, comment }: RequestCommentInput, @CurrentPrincipal() caller: Principal) {
    return this.service.revoke(id, caller, comment);
  }
}
