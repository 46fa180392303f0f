// DATABASE_URL: SQLite (a file, or :memory:) or PostgreSQL.
import { ConfigError } from '../config.error';
import type { DatabaseConfig } from '../setting-types';

/** The default database: a SQLite file next to the service. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/rbcd.sqlite';

/** Never repeats the URL in a problem: it may hold a password. */
export function readDatabase(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path)
      throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path (sqlite:./data/rbcd.sqlite) or :memory:');
    return { type: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { type: 'postgres', url };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://');
}
