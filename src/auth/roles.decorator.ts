import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const REQUIRED_ROLES = 'rbcd:roles';
/** Any one of these roles (or admin) may call the route or GraphQL field. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const OWNERS_MAY = 'rbcd:ownersMay';
/**
 * Resource owners may call this route without the roles named by @Roles() (approve, reject): the
 * guard lets any caller with an AD person through, and the service checks that they own a target.
 */
export const OwnersMay = () => SetMetadata(OWNERS_MAY, true);
