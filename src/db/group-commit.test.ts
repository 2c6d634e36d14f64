/** GroupCommit on a real SQLite database: what commits together, what fails alone, what fails together. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Catalog, openDatabase } from './database.js';
import { GroupCommit } from './group-commit.js';

interface Db {
  parent: { id: number };
  child: { id: number; parent_id: number };
}

describe('GroupCommit', () => {
  let dir: string;
  let catalog: Catalog;
  let db: Kysely<Db>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imago-group-commit-'));
    catalog = await openDatabase(`sqlite:${join(dir, 'test.db')}`);
    db = catalog.db as unknown as Kysely<Db>;
    await sql`create table parent (id integer primary key)`.execute(db);
    // Deferred: a missing parent is found only at COMMIT, which makes the commit itself fail.
    await sql`create table child (id integer primary key, parent_id integer references parent(id) deferrable initially deferred)`.execute(db);
  });
  after(async () => {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ids = async () => (await db.selectFrom('parent').select('id').orderBy('id').execute()).map((row) => row.id);
  const insert = (id: number) => async (trx: Transaction<Db>) => {
    await trx.insertInto('parent').values({ id }).execute();
  };

  it('commits the writes of one turn in one transaction', async () => {
    await db.deleteFrom('parent').execute();
    const writes = new GroupCommit(db, true);
    const seen: Transaction<Db>[] = [];
    const write = (id: number) => async (trx: Transaction<Db>) => {
      seen.push(trx);
      await insert(id)(trx);
    };
    await Promise.all([writes.run(write(1)), writes.run(write(2)), writes.run(write(3))]);
    assert.equal(seen.length, 3);
    assert.ok(seen.every((trx) => trx === seen[0]), 'one transaction for the three');
    assert.deepEqual(await ids(), [1, 2, 3]);

    await writes.run(write(4));
    assert.notEqual(seen[3], seen[0], 'a write of a later turn gets a transaction of its own');
    assert.deepEqual(await ids(), [1, 2, 3, 4]);
  });

  it('rolls back a failing write alone and gives its caller its error', async () => {
    await db.deleteFrom('parent').execute();
    const writes = new GroupCommit(db, true);
    const refused = new Error('refused');
    const results = await Promise.allSettled([
      writes.run(insert(1)),
      writes.run(async (trx) => {
        await insert(2)(trx);
        throw refused;
      }),
      writes.run(insert(3)),
      writes.run(insert(1)), // a duplicate of the first write: the database refuses it
    ]);
    assert.equal(results[0]!.status, 'fulfilled');
    assert.deepEqual(results[1], { status: 'rejected', reason: refused });
    assert.equal(results[2]!.status, 'fulfilled');
    assert.equal(results[3]!.status, 'rejected');
    assert.match(String((results[3] as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
    assert.deepEqual(await ids(), [1, 3], 'the failed write left nothing behind, the others are kept');
  });

  it('fails every write of the group when the commit fails, and keeps none', async () => {
    await db.deleteFrom('parent').execute();
    const writes = new GroupCommit(db, true);
    const results = await Promise.allSettled([
      writes.run(insert(1)),
      writes.run(async (trx) => {
        await trx.insertInto('child').values({ id: 1, parent_id: 99 }).execute();
      }),
      writes.run(insert(2)),
    ]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.match(String((result as PromiseRejectedResult).reason), /FOREIGN KEY constraint failed/);
    }
    assert.deepEqual(await ids(), []);
    assert.deepEqual(await db.selectFrom('child').selectAll().execute(), []);

    await writes.run(insert(5));
    assert.deepEqual(await ids(), [5], 'the next group commits normally');
  });

  it('gives each write a transaction of its own when not grouped', async () => {
    await db.deleteFrom('parent').execute();
    const writes = new GroupCommit(db, false);
    const seen: Transaction<Db>[] = [];
    const results = await Promise.allSettled([1, 2, 1].map((id) => writes.run(async (trx) => {
      seen.push(trx);
      await insert(id)(trx);
    })));
    assert.equal(new Set(seen).size, 3);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.deepEqual(await ids(), [1, 2]);
  });
});
