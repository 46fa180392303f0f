// The validated, typed configuration the rest of the service reads: what the schema outputs
// (schema/app-config.schema.ts), built once at boot by loadConfig() from the environment and the
// optional YAML file (RBCD_CONFIG). The section types are in setting-types.ts.
import type { z } from 'zod';
import type { appConfigSchema } from './schema/app-config.schema';

export * from './setting-types';

export type AppConfig = z.infer<typeof appConfigSchema>;
