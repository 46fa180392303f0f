import { graphqlEnum } from '../common/graphql/graphql-enum';
import { REQUEST_STATUSES } from './request.entity';

/** GraphQL's `RequestStatus`: the members of REQUEST_STATUSES, sent as the same strings as over REST. */
export const RequestStatusEnum = graphqlEnum(REQUEST_STATUSES, 'RequestStatus', 'Where a request is in its lifecycle');
