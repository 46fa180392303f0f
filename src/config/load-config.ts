// loadConfig: the environment and the optional YAML file (RBCD_CONFIG) through the one schema.
import type { AppConfig } from './config.types';
import { appConfigSchema } from './schema/app-config.schema';
import { readYamlFile } from './sources/yaml-file';
import type { Env } from './sources/yaml-values';

export { readDatabase } from './sections/database';

/** Reads the environment and the optional YAML file; throws ConfigError naming the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  return appConfigSchema.parse({ env, yaml: readYamlFile(env.RBCD_CONFIG) });
}
