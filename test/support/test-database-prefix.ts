/** Prefix of the PostgreSQL databases a test run makes (TEST_DB_PREFIX, lower-case letters, digits, _). */
export function testDatabasePrefix(): string {
  const prefix = process.env.TEST_DB_PREFIX ?? 'rbcd_test_';
  if (!/^[a-z][a-z0-9_]*_$/.test(prefix))
    throw new Error(`TEST_DB_PREFIX must be lower-case letters, digits and _ ending in _ (got ${prefix})`);
  return prefix;
}
