import { SetMetadata } from '@nestjs/common';

export const READS_ONLY = 'rbcd:readsOnly';
/**
 * Marks a POST route that changes nothing (plan, diagnose: their input is too rich for a query
 * string): the rate limit of changes does not count it.
 */
export const ReadsOnly = () => SetMetadata(READS_ONLY, true);
