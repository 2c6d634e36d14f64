/**
 * Single-row inserts whose SQL Kysely builds once per table and column list, then reused with
 * each row's values. An image row has 34 columns, and building their insert took Kysely about
 * 20 µs in a warm loop, on every create. The SQL for the same columns never changes, and
 * Kysely passes the values as parameters in column order, so only the parameters need to be new.
 */
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** SQL text by "table(columns)", per adapter: the dialects write placeholders differently. */
const texts = new WeakMap<object, Map<string, string>>();

export async function insertRow<T extends keyof Database>(db: Kysely<Database>, table: T, row: Insertable<Database[T]>): Promise<void> {
  const values = Object.values(row as object);
  // `never`: Kysely cannot check a generic table's row type here; the signature did.
  const build = () => db.insertInto(table).values(row as never).compile();
  // Only plain values map one to one onto parameters: undefined drops its column, and an
  // expression adds SQL of its own. Rows with either are built every time.
  if (!values.every(isPlain)) {
    await db.executeQuery(build());
    return;
  }
  const adapter = db.getExecutor().adapter;
  let known = texts.get(adapter);
  if (known === undefined) texts.set(adapter, (known = new Map()));
  const key = `${table}(${Object.keys(row as object).join(',')})`;
  let text = known.get(key);
  if (text === undefined) {
    const compiled = build();
    if (compiled.parameters.length !== values.length || compiled.parameters.some((p, i) => p !== values[i])) {
      throw new Error(`Kysely did not pass the values of a ${table} row as parameters in column order`);
    }
    known.set(key, (text = compiled.sql));
  }
  await db.executeQuery(CompiledQuery.raw(text, values));
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value);
}
