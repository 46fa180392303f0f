// From a zod problem to the ConfigError the operator reads: the variable or YAML key (the issue's
// path) and the problem in the words the schema gave it. The value itself is never added here.
import type { z } from 'zod';
import { ConfigError } from '../config.error';

/** `['chat', 'slack', 'users', 0]` → `chat.slack.users[0]`; an environment variable is its own name. */
export function settingName(path: (string | number)[], base = ''): string {
  return path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    base,
  );
}

/** Parses `value`, or throws a ConfigError for the first problem, named `base` + the issue's path. */
export function parseSetting<S extends z.ZodTypeAny>(schema: S, value: unknown, base = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.output<S>;
  const [first] = result.error.issues;
  // Only the messages this project's schemas write reach the operator (see setting-values.ts).
  throw new ConfigError(settingName(first.path, base) || base, first.message);
}
