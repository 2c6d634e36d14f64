/** WalCheckpointer on real SQLite files: who checkpoints, in which order, and what it holds meanwhile. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { openDatabase } from './database.js';
import { BACKSTOP_PAGES, WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.js';

const PAGE_SIZED = 'x'.repeat(4000);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imago-wal-'));
});

const size = (path: string) => statSync(path).size;

let running: WalCheckpointer[] = [];
const stopLater = (checkpointer: WalCheckpointer) => running.push(checkpointer);
afterEach(async () => {
  await Promise.all(running.map((checkpointer) => checkpointer.stop()));
  running = [];
  await rm(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A WAL database with table t, checkpointed by a WalCheckpointer built with `options`. */
async function open(options: WalCheckpointerOptions) {
  const path = join(dir, 'test.db');
  const writer = new BetterSqlite3(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  const checkpoints = new BetterSqlite3(path);
  const checkpointer = new WalCheckpointer(path, checkpoints, options);
  const db = new Kysely<{ t: { v: string } }>({ dialect: new SqliteDialect({ database: checkpointer.watch(writer) }) });
  await checkpointer.start(db);
  await sql`create table t (v text)`.execute(db);
  const insert = (rows: number) => db.insertInto('t').values(Array.from({ length: rows }, () => ({ v: PAGE_SIZED }))).execute();
  return { path, db, writer, checkpoints, checkpointer, insert };
}

describe('WalCheckpointer', () => {
  it('copies the WAL into the database file soon after writes, in place of the writer', async () => {
    const path = join(dir, 'catalog.db');
    const catalog = await openDatabase(`sqlite:${path}`);
    try {
      const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(catalog.db);
      assert.equal(autocheckpoint.rows[0]?.wal_autocheckpoint, BACKSTOP_PAGES, 'the writer only checkpoints as a backstop');
      await sql`create table t (v text)`.execute(catalog.db);
      const before = size(path);
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 500) insert into t select ${PAGE_SIZED} from n`.execute(catalog.db);
      assert.ok(size(path) < before + 100_000, 'the rows are in the WAL only');
      await until(() => size(path) > before + 1_000_000, 'the checkpoint');
    } finally {
      await catalog.close();
    }
  });

  it('syncs the WAL, then holds back writes while it syncs the rest, copies and syncs the database file', async () => {
    const steps: string[] = [];
    const queued: Promise<unknown>[] = [];
    let path = '';
    const { insert, checkpointer } = await open({
      delayMs: 1,
      syncFile: async (file) => {
        steps.push(`${file === path ? 'db' : file === `${path}-wal` ? 'wal' : file} ${size(path) > 500_000 ? 'copied' : 'not copied'}`);
        // One write during the first WAL sync and one during the second.
        if (steps.length === 1 || steps.length === 3) {
          const name = `write ${queued.length + 1}`;
          queued.push(insert(1).then(() => steps.push(name)));
        }
        await sleep(20);
      },
    });
    stopLater(checkpointer);
    path = join(dir, 'test.db');
    await insert(200);
    await until(() => steps.length >= 8, 'the cycle, the writes and the cycle after them');
    await Promise.all(queued);
    // A write before the copies are durable could start the WAL over the frames they came from.
    assert.deepEqual(steps.slice(0, 5), ['wal not copied', 'write 1', 'wal not copied', 'db copied', 'write 2'],
      'the first write went on, the second waited for the cycle');
    await sleep(50);
    assert.equal(steps.length, 8, 'no cycle without writes');
  });

  it('keeps the WAL short under a steady stream of writes', async () => {
    const { path, insert, checkpointer } = await open({ delayMs: 5 });
    stopLater(checkpointer);
    let written = 0;
    let largestWal = 0;
    const started = Date.now();
    while (Date.now() - started < 1500) {
      await insert(20);
      written += 20 * 4096;
      largestWal = Math.max(largestWal, size(`${path}-wal`));
      await new Promise(setImmediate);
    }
    assert.ok(written > 20 * 2 ** 20, `wrote ${written} bytes`);
    // Left to the writer's backstop, the WAL would grow to 40 MB before each restart.
    assert.ok(largestWal < (BACKSTOP_PAGES * 4096) / 4, `WAL peaked at ${largestWal} bytes of ${written} written`);
  });

  it('hands checkpoints back to the writer when a cycle fails, with a warning', async () => {
    let syncs = 0;
    const { writer, insert, checkpointer } = await open({
      delayMs: 1,
      syncFile: async () => {
        syncs++;
        throw new Error('EIO');
      },
    });
    stopLater(checkpointer);
    let warning: Error | undefined;
    process.once('warning', (emitted) => {
      warning = emitted;
    });
    await insert(1);
    // Polled: the cycle's timer is unref'd, so a bare wait would let the test's event loop end.
    await until(() => warning !== undefined, 'the warning');
    assert.ok(warning);
    assert.match(warning.message, /back on the writing connection/);
    assert.match(String((warning.cause as Error).message), /EIO/);
    await until(() => writer.pragma('wal_autocheckpoint', { simple: true }) === 1000, 'the fallback');
    await insert(1);
    await sleep(30);
    assert.equal(syncs, 1, 'no more cycles');
  });

  it('stops after the cycle under way, and closes its connection', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let syncs = 0;
    const { insert, checkpointer, checkpoints } = await open({
      delayMs: 1,
      syncFile: async () => {
        if (syncs++ === 1) await blocked;
      },
    });
    await insert(1);
    await until(() => syncs === 2, 'the cycle');
    let stopped = false;
    const stopping = checkpointer.stop().then(() => {
      stopped = true;
    });
    await sleep(20);
    assert.equal(stopped, false);
    release();
    await stopping;
    assert.equal(syncs, 3);
    assert.equal(checkpoints.open, false);
  });
});
