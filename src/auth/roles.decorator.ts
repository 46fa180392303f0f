import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const REQUIRED_ROLES = 'rbcd:roles';
/** Any one of these roles (or admin) may call the route or GraphQL field. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);
