import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'rbcd:isPublic';
/** Marks a route that needs no credential (health, metrics, signature-verified chat callbacks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
