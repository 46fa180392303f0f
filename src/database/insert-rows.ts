import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters for our tables. */
const DEFAULT_CHUNK = 100;

/**
 * Inserts rows of one entity in `m`'s transaction, `chunk` rows per INSERT, as plain parameterised
 * SQL: the columns come from the entity's metadata and every value is stored as TypeORM stores it
 * (column transformers, simple-json, booleans). With `upsertOn`, a row whose key exists replaces
 * every other column of it (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike).
 *
 * Why not repository.insert(): TypeORM's query builder finds every parameter in the SQL text with
 * a regular expression, so its cost grows with rows × columns × the statement's length: 2.5–4× the
 * CPU of this for 1,000 rows (bench/RESULTS.md, session 9), spent while the DC writes on the same cores. Every
 * column is written: a value left undefined is a programming error here (no column default is
 * applied).
 */
export async function insertRows<T extends ObjectLiteral>(
  m: EntityManager,
  entity: EntityTarget<T>,
  rows: T[],
  options: { upsertOn?: (keyof T & string)[]; chunk?: number } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = m.connection.getMetadata(entity);
  const driver = m.connection.driver;
  const postgres = m.connection.options.type === 'postgres';
  const columns = metadata.columns.filter((c) => !c.isVirtual);
  const names = columns.map((c) => driver.escape(c.databaseName));
  let conflict = '';
  if (options.upsertOn?.length) {
    const keys = options.upsertOn.map((property) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${metadata.name} has no column ${property}`);
      return column;
    });
    const updated = columns.filter((c) => !keys.includes(c)).map((c) => driver.escape(c.databaseName));
    conflict =
      ` ON CONFLICT (${keys.map((c) => driver.escape(c.databaseName)).join(', ')}) DO UPDATE SET ` +
      updated.map((name) => `${name} = excluded.${name}`).join(', ');
  }
  const table = driver.escape(metadata.tablePath);
  const chunk = Math.max(1, options.chunk ?? DEFAULT_CHUNK);
  for (let start = 0; start < rows.length; start += chunk) {
    const slice = rows.slice(start, start + chunk);
    const parameters: unknown[] = [];
    const tuples = slice.map((row) => {
      const marks = columns.map((column) => {
        const value: unknown = column.getEntityValue(row, true);
        if (value === undefined) throw new Error(`${metadata.name}.${column.propertyName} is undefined`);
        parameters.push(driver.preparePersistentValue(value, column));
        return postgres ? `$${parameters.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await m.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${tuples.join(', ')}${conflict}`, parameters);
  }
}
