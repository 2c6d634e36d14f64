/**
 * better-sqlite3 with its prepared statements kept by SQL text. Kysely prepares every query
 * anew, and on the create and list paths preparing cost about half as much as running the
 * statement. A statement runs synchronously and to completion (the catalog never streams
 * rows), so one statement object can serve every execution of its SQL. The cache is bounded:
 * `in (…)` lists of every length make distinct SQL texts.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const CAPACITY = 512;

export function withStatementCache(db: { close(): void; prepare(sql: string): SqliteStatement }): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        // Map order is insertion order: re-inserting keeps the least recently used first.
        statements.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (statements.size >= CAPACITY) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
