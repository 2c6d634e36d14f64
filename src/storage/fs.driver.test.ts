import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { requireAvailable } from '../../test/support/require-tool.js';
import { StorageUnavailableError } from '../domain/errors.js';
import { YoungGenerationReclaimer } from '../lib/young-gc.js';
import { FsDriver } from './fs.driver.js';
import { readAll, runDriverConformance } from './testing/conformance.js';

async function stagedFiles(root: string): Promise<string[]> {
  return readdir(join(root, 'staging')).catch(() => []);
}

runDriverConformance('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'imago-fs-driver-'));
  return {
    driver: new FsDriver({ name: 'local', root }),
    cleanup: () => rm(root, { recursive: true, force: true }),
    stagedWrites: () => stagedFiles(root),
  };
});

describe('FsDriver on disk', () => {
  let root: string;
  let driver: FsDriver;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'imago-fs-layout-'));
    driver = new FsDriver({ name: 'local', root });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps objects under objects/<key> and stages under staging/', async () => {
    const writer = await driver.createWriter('images/abc');
    await pipeline(Readable.from([Buffer.from('data')]), writer.stream);
    assert.equal((await stagedFiles(root)).length, 1);
    await writer.commit();
    assert.deepEqual(await stagedFiles(root), []);
    assert.equal((await stat(join(root, 'objects', 'images', 'abc'))).size, 4);
    await driver.delete('images/abc');
  });

  it('tells its reclaimer of every byte a download reads, ranges included', async () => {
    let collections = 0;
    const reclaimer = new YoungGenerationReclaimer(() => { collections++; }, 1024 * 1024);
    const counting = new FsDriver({ name: 'local', root, reclaimer });
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await counting.put('images/counted', data);
    assert.ok((await readAll(await counting.createReadStream('images/counted'))).equals(data));
    assert.equal(collections, 3);
    const range = await readAll(await counting.createReadStream('images/counted', { start: 0, end: 1024 * 1024 - 6 }));
    assert.ok(range.equals(data.subarray(0, 1024 * 1024 - 5)));
    assert.equal(collections, 4, 'the 5 bytes left over and the range make up the fourth MiB');
    await counting.delete('images/counted');
  });

  it('writes a slow upload through to its staging file within a second', async () => {
    const writer = await driver.createWriter('images/slow');
    const write = (data: Buffer) => new Promise<void>((resolve, reject) => writer.stream.write(data, (err) => (err ? reject(err) : resolve())));
    await write(Buffer.alloc(10));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await write(Buffer.alloc(10));
    const [name] = await stagedFiles(root);
    // The batch is written in the background; give it a moment.
    for (let i = 0; i < 50 && (await stat(join(root, 'staging', name!))).size < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await stat(join(root, 'staging', name!))).size, 20);
    await writer.abort();
  });

  it('purges only staged files older than the cutoff', async () => {
    const old = await driver.createWriter('images/old');
    const [oldFile] = await stagedFiles(root);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'staging', oldFile!), hourAgo, hourAgo);
    const fresh = await driver.createWriter('images/fresh');
    assert.equal(await driver.purgeStaging(new Date(Date.now() - 60_000)), 1);
    const left = await stagedFiles(root);
    assert.equal(left.length, 1);
    assert.notEqual(left[0], oldFile);
    await old.abort();
    await fresh.abort();
    assert.deepEqual(await stagedFiles(root), []);
  });

  it('lists only files whose names are keys', async () => {
    await driver.put('images/ok', Buffer.from('x'));
    await writeFile(join(root, 'objects', 'images', 'Not-A-Key'), 'x');
    const keys: string[] = [];
    for await (const key of driver.list('')) keys.push(key);
    assert.deepEqual(keys, ['images/ok']);
    await rm(join(root, 'objects', 'images', 'Not-A-Key'));
    await driver.delete('images/ok');
  });
});

describe('FsDriver on a full disk', () => {
  // A real 1 MiB tmpfs: mounting needs root (CI runs as root); elsewhere this is skipped.
  let mountPoint: string | undefined;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imago-fs-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
      mountPoint = dir;
    } catch {
      await rm(dir, { recursive: true, force: true });
    }
  });
  after(async () => {
    if (!mountPoint) return;
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  const isFull = (err: unknown) => err instanceof StorageUnavailableError && err.reason === 'storage.full' && err.cause !== undefined;

  it('fails the stream and commit with storage.full, and abort frees the space', async (t) => {
    if (!requireAvailable(t, mountPoint !== undefined, 'mounting a tmpfs (root)')) return;
    const driver = new FsDriver({ name: 'local', root: mountPoint! });
    const writer = await driver.createWriter('images/big');
    await assert.rejects(pipeline(Readable.from([randomBytes(3 * 1024 * 1024)]), writer.stream), isFull);
    await assert.rejects(writer.commit(), isFull);
    await writer.abort();
    assert.deepEqual(await stagedFiles(mountPoint!), []);
    await driver.put('images/small', randomBytes(256 * 1024));
    assert.equal((await driver.stat('images/small'))?.size, 256 * 1024);
    await driver.delete('images/small');
  });

  it('rejects put with storage.full and leaves nothing staged', async (t) => {
    if (!requireAvailable(t, mountPoint !== undefined, 'mounting a tmpfs (root)')) return;
    const driver = new FsDriver({ name: 'local', root: mountPoint! });
    await assert.rejects(driver.put('images/big', randomBytes(2 * 1024 * 1024)), isFull);
    assert.deepEqual(await stagedFiles(mountPoint!), []);
    assert.equal(await driver.stat('images/big'), undefined);
  });
});
