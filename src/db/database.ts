/**
 * Opens the catalog database named by a URL: `sqlite:PATH` (the embedded default, or
 * `sqlite::memory:`) or `postgres://…`. Returns Kysely over either, so repositories are
 * written once. Each driver is loaded only when its dialect is used, so the embedded default
 * does not carry pg's code in memory.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Catalog {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export async function openDatabase(url: string): Promise<Catalog> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  throw new Error(`Unsupported database URL ${url}: use sqlite:PATH or postgres://…`);
}

async function openSqlite(path: string): Promise<Catalog> {
  if (path === '') throw new Error('The sqlite: database URL needs a path (or :memory:)');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes
  // and loses at most the last transactions on power loss, as is usual for WAL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (a second node on the same file, the CLI) may hold the write lock briefly.
  sqlite.pragma('busy_timeout = 5000');
  if (path === ':memory:') {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  // Checkpoints, and their fsyncs, off the event loop (see wal-checkpointer.ts).
  const checkpointer = new WalCheckpointer(path, new BetterSqlite3(path));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: checkpointer.watch(withStatementCache(sqlite)) }) });
  await checkpointer.start(db);
  return {
    db,
    dialect: 'sqlite',
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<Catalog> {
  const { default: pg } = await import('pg');
  /*
   * Sizes and timestamps are bigint columns, which pg returns as strings by default. They fit
   * in a double (< 2^53), so this pool reads them as numbers; the global pg.types registry stays
   * untouched, so other pools in the process keep their own behaviour.
   */
  const catalogTypes: import('pg').CustomTypesConfig = {
    getTypeParser: (oid, format) =>
      oid === pg.types.builtins.INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types: catalogTypes });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
