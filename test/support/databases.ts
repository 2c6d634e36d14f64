/**
 * Fresh, migrated catalog databases for tests, one per dialect, so repository tests run every
 * case on SQLite and PostgreSQL alike.
 *
 *   forEachDialect((dialect, catalog) => {
 *     it('…', async () => { const repo = new ImageRepository(catalog().db); … });
 *   });
 *
 * PostgreSQL comes from IMAGO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres,
 * trust auth); each block gets its own CREATE DATABASE, dropped afterwards. When it cannot be
 * reached the PostgreSQL block is skipped with the reason, or fails under CI=true.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type Catalog, type Dialect, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { requireAvailable } from './require-tool.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export const POSTGRES_ADMIN_URL = process.env.IMAGO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A catalog on a database of its own; dispose() closes it and deletes the database. */
export interface TestCatalog extends Catalog {
  /** The URL the catalog was opened with, to open more connections to the same database. */
  url: string;
  dispose(): Promise<void>;
}

/** An empty database of the dialect, not yet migrated. */
export async function createTestDatabase(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'imago-db-'));
    // A missing parent directory: opening the catalog must create it.
    return { url: `sqlite:${join(dir, 'catalog', 'imago.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `imago_test_${randomBytes(6).toString('hex')}`;
  // C collation compares text bytewise, as SQLite does, so both dialects order names alike.
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  // Not WITH (FORCE): closed pools' backends may still be exiting, and PostgreSQL waits for
  // them, while forcing would hit their sockets with errors. A connection a test leaked makes
  // the drop fail, which is worth knowing.
  const drop = async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name}`));
  };
  return { url: url.toString(), drop };
}

/** A fresh database of the dialect with the catalog schema in place. */
export async function createTestCatalog(dialect: Dialect): Promise<TestCatalog> {
  const database = await createTestDatabase(dialect);
  const catalog = await openDatabase(database.url);
  try {
    await migrateToLatest(catalog.db);
  } catch (err) {
    await catalog.close();
    await database.drop();
    throw err;
  }
  return {
    ...catalog,
    url: database.url,
    async dispose() {
      await catalog.close();
      await database.drop();
    },
  };
}

let postgresProbe: Promise<boolean> | undefined;

/** Whether the PostgreSQL server answers (asked once per test process). */
export function postgresAvailable(): Promise<boolean> {
  postgresProbe ??= withAdmin((admin) => admin.query('SELECT 1')).then(() => true, () => false);
  return postgresProbe;
}

/**
 * Declares one describe block per dialect around `body`. Inside, `catalog()` is the block's
 * own migrated database (created before its first test, deleted after its last). Tests in a
 * block share it, so each test uses ids and owners of its own or builds a fixture in before().
 */
export function forEachDialect(body: (dialect: Dialect, catalog: () => TestCatalog) => void): void {
  for (const dialect of DIALECTS) {
    describe(dialect, async () => {
      if (dialect === 'postgres' && !(await postgresAvailable())) {
        it('needs PostgreSQL', (t) => {
          requireAvailable(t, false, `PostgreSQL at ${POSTGRES_ADMIN_URL}`);
        });
        return;
      }
      let current: TestCatalog | undefined;
      before(async () => {
        current = await createTestCatalog(dialect);
      });
      after(async () => {
        await current?.dispose();
      });
      body(dialect, () => {
        if (!current) throw new Error(`the ${dialect} test catalog is not open (used outside a test or hook?)`);
        return current;
      });
    });
  }
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
