/** Opening catalog databases and migrating them, on every dialect. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { type Catalog, openDatabase } from '../../../src/db/database.js';
import { MIGRATION_NAMES, migrateToLatest } from '../../../src/db/migrator.js';
import { createTestDatabase, forEachDialect } from '../../support/databases.js';

describe('openDatabase', () => {
  it('refuses URLs it does not know', async () => {
    await assert.rejects(openDatabase('mysql://localhost/imago'), /Unsupported database URL/);
    await assert.rejects(openDatabase('sqlite:'), /needs a path/);
  });

  it('creates the SQLite file and its directories, in WAL mode with the documented settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imago-open-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'deep', 'er', 'imago.db');
    const catalog = await openDatabase(`sqlite:${path}`);
    try {
      assert.equal(catalog.dialect, 'sqlite');
      assert.ok(existsSync(path));
      const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(catalog.db)).rows[0] as object)[0];
      assert.equal(String(await pragma('journal_mode')).toLowerCase(), 'wal');
      assert.equal(await pragma('synchronous'), 1, 'NORMAL');
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('busy_timeout'), 5000);
    } finally {
      await catalog.close();
    }
  });

  it('opens an in-memory SQLite database', async () => {
    const catalog = await openDatabase('sqlite::memory:');
    await migrateToLatest(catalog.db);
    assert.deepEqual(await catalog.db.selectFrom('images').selectAll().execute(), []);
    await catalog.close();
  });
});

forEachDialect((dialect, catalog) => {
  it('creates the catalog tables', async () => {
    const tables = (await catalog().db.introspection.getTables()).map((t) => t.name).sort();
    for (const table of ['image_members', 'image_properties', 'image_tags', 'images']) assert.ok(tables.includes(table), table);
  });

  it('migrating an up-to-date database changes nothing', async () => {
    await migrateToLatest(catalog().db);
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(catalog().db);
    assert.deepEqual(applied.rows.map((r) => r.name), MIGRATION_NAMES);
  });

  it('reads bigint columns as numbers', async () => {
    const row = await sql<{ big: unknown; count: unknown }>`select cast(${2 ** 40} as bigint) as big, (select count(*) from images) as count`.execute(catalog().db);
    assert.deepEqual(row.rows[0], { big: 2 ** 40, count: 0 });
  });

  if (dialect === 'postgres') {
    it('leaves the process-wide pg type parsers alone', () => {
      assert.equal(pg.types.getTypeParser(pg.types.builtins.INT8)('42'), '42');
    });
  }

  it('lets several processes migrate one new database at once', async () => {
    const database = await createTestDatabase(dialect);
    const catalogs: Catalog[] = [];
    try {
      // Separate connections (pools) to one database behave like separate processes: on
      // SQLite the race makes the losers' migrations fail, and they must recover.
      for (let i = 0; i < 3; i++) catalogs.push(await openDatabase(database.url));
      await Promise.all(catalogs.map((c) => migrateToLatest(c.db)));
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(catalogs[0]!.db);
      assert.deepEqual(applied.rows.map((r) => r.name), MIGRATION_NAMES);
      await catalogs[1]!.db.selectFrom('images').selectAll().execute();
    } finally {
      for (const c of catalogs) await c.close();
      await database.drop();
    }
  });
});
