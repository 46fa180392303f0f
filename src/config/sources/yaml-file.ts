// RBCD_CONFIG: the optional YAML file, read as one mapping of sections (policy, domains, …).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config.error';

export type YamlDocument = Record<string, unknown>;

export function readYamlFile(path: string | undefined): YamlDocument {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('RBCD_CONFIG', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    // The first line only: the parser's excerpt of the file could hold a secret.
    throw new ConfigError('RBCD_CONFIG', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError('RBCD_CONFIG', `${path} must hold a mapping`);
  return doc as YamlDocument;
}
