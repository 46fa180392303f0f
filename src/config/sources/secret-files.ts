// Secrets and certificates read from files (`*_FILE` variables, `*File` YAML keys). A problem names
// the setting and the file, never the content.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.error';

function readProblem(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

/** The secret from `file` (one trailing newline dropped) when set, else `value`; unset: undefined. */
export function secretFrom(value: unknown, file: unknown, name: string): string | undefined {
  if (typeof file === 'string' && file.trim() !== '') {
    try {
      return readFileSync(file.trim(), 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(name, `cannot read secret file ${file} (${readProblem(error)})`);
    }
  }
  if (file !== undefined && file !== null && file !== '' && typeof file !== 'string')
    throw new ConfigError(name, 'must be a file path');
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(name, 'must be a string');
  return value;
}

/** A PEM bundle of CA certificates from a file; unset: nothing. */
export function readCa(file: unknown, name: string): { ca?: string; caFile?: string } {
  if (file === undefined || file === null || file === '') return {};
  if (typeof file !== 'string') throw new ConfigError(name, 'must be a file path');
  let ca: string;
  try {
    ca = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(name, `cannot read ${file} (${readProblem(error)})`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(name, `${file} holds no PEM certificate`);
  return { ca, caFile: file };
}
