/**
 * The storage driver contract as tests. Every driver runs this suite (fs.driver.test.ts; the
 * S3 driver against a real S3 server), so the services can rely on the contract alone.
 *
 * The suite sees a driver only through StorageDriver, plus an optional `stagedWrites` hook for
 * drivers that can report what they hold in staging (files, multipart uploads), used to prove
 * that abort and purge leave nothing behind. Each test cleans up after itself, and after each
 * test the store must be empty again.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { ImagoError } from '../../domain/errors.js';
import type { BlobWriter, ByteRange, StorageDriver } from '../driver.js';

export interface DriverUnderTest {
  driver: StorageDriver;
  /** Removes whatever the driver was given (a temp directory, a bucket). */
  cleanup(): Promise<void>;
  /** What the driver currently holds in staging, if it can tell (ids in any form). */
  stagedWrites?(): Promise<string[]>;
}

export function runDriverConformance(name: string, makeDriver: () => Promise<DriverUnderTest>): void {
  describe(`storage driver conformance: ${name}`, () => {
    let subject: DriverUnderTest;
    let driver: StorageDriver;
    /** Objects a group keeps for all its tests; the per-test emptiness check skips them. */
    const fixtures = new Set<string>();

    before(async () => {
      subject = await makeDriver();
      driver = subject.driver;
    });
    after(async () => {
      try {
        assert.deepEqual(await listAll(driver, ''), [], 'the suite left objects behind');
      } finally {
        await subject.cleanup();
      }
    });
    afterEach(async () => {
      const left = (await listAll(driver, '')).filter((key) => !fixtures.has(key));
      assert.deepEqual(left, [], 'a test left objects behind');
      assert.deepEqual(await staged(subject), [], 'a test left staged writes behind');
    });

    describe('small objects', () => {
      it('put then get and stat', async () => {
        const data = randomBytes(1000);
        const before = Date.now();
        await driver.put('conf/put/a', data);
        assert.deepEqual(await driver.get('conf/put/a'), data);
        const s = await driver.stat('conf/put/a');
        assert.equal(s?.size, 1000);
        assert.ok(s.modifiedAt instanceof Date);
        // Clocks of a remote store may differ a little from ours.
        assert.ok(Math.abs(s.modifiedAt.getTime() - before) < 60_000, `modifiedAt ${s.modifiedAt.toISOString()}`);
        await driver.delete('conf/put/a');
      });

      it('stores an empty object', async () => {
        await driver.put('conf/put/empty', Buffer.alloc(0));
        assert.deepEqual(await driver.get('conf/put/empty'), Buffer.alloc(0));
        assert.equal((await driver.stat('conf/put/empty'))?.size, 0);
        assert.equal((await readAll(await driver.createReadStream('conf/put/empty'))).length, 0);
        await driver.delete('conf/put/empty');
      });

      it('answers undefined for a missing key, and for a prefix that only holds other keys', async () => {
        assert.equal(await driver.get('conf/missing'), undefined);
        assert.equal(await driver.stat('conf/missing'), undefined);
        await driver.put('conf/dir/child', Buffer.from('x'));
        assert.equal(await driver.stat('conf/dir'), undefined);
        assert.equal(await driver.get('conf/dir'), undefined);
        await assertCode(driver.createReadStream('conf/dir'), 'not_found');
        await driver.delete('conf/dir');
        assert.equal((await driver.stat('conf/dir/child'))?.size, 1, 'deleting the prefix removed nothing');
        await driver.delete('conf/dir/child');
      });

      it('put replaces an existing object', async () => {
        await driver.put('conf/over', Buffer.from('first version, longer'));
        await driver.put('conf/over', Buffer.from('second'));
        assert.equal((await driver.get('conf/over'))?.toString(), 'second');
        assert.equal((await driver.stat('conf/over'))?.size, 6);
        await driver.delete('conf/over');
      });
    });

    describe('staged writes', () => {
      it('streams, commits, and counts the bytes', async () => {
        const chunks = [randomBytes(1), randomBytes(70_000), randomBytes(3), randomBytes(2 * 1024 * 1024 + 5)];
        const writer = await driver.createWriter('conf/stream/a');
        await pipeline(Readable.from(chunks), writer.stream);
        assert.equal(writer.bytesWritten, 70_004 + 2 * 1024 * 1024 + 5);
        await writer.commit();
        assert.deepEqual(await driver.get('conf/stream/a'), Buffer.concat(chunks));
        await driver.delete('conf/stream/a');
      });

      it('shows nothing before commit', async () => {
        const writer = await driver.createWriter('conf/stream/b');
        await pipeline(Readable.from([randomBytes(4096)]), writer.stream);
        assert.equal(await driver.stat('conf/stream/b'), undefined);
        assert.equal(await driver.get('conf/stream/b'), undefined);
        assert.deepEqual(await listAll(driver, ''), []);
        await assertCode(driver.createReadStream('conf/stream/b'), 'not_found');
        await writer.commit();
        assert.equal((await driver.stat('conf/stream/b'))?.size, 4096);
        await driver.delete('conf/stream/b');
      });

      it('keeps the old object visible until the new one commits', async () => {
        await driver.put('conf/stream/c', Buffer.from('old'));
        const writer = await driver.createWriter('conf/stream/c');
        await pipeline(Readable.from([Buffer.from('new!')]), writer.stream);
        assert.equal((await driver.get('conf/stream/c'))?.toString(), 'old');
        await writer.commit();
        assert.equal((await driver.get('conf/stream/c'))?.toString(), 'new!');
        await driver.delete('conf/stream/c');
      });

      it('abort after the stream finished leaves nothing, and may be repeated', async () => {
        const writer = await driver.createWriter('conf/abort/a');
        await pipeline(Readable.from([randomBytes(100_000)]), writer.stream);
        await writer.abort();
        await writer.abort();
        assert.equal(await driver.stat('conf/abort/a'), undefined);
        await assert.rejects(writer.commit(), 'commit after abort');
      });

      it('abort in the middle of the stream leaves nothing', async () => {
        const writer = await driver.createWriter('conf/abort/b');
        const written = new Promise<void>((resolve) => writer.stream.write(randomBytes(10_000), () => resolve()));
        await written;
        await writer.abort();
        assert.equal(await driver.stat('conf/abort/b'), undefined);
      });

      it('abort right after createWriter leaves nothing', async () => {
        const writer = await driver.createWriter('conf/abort/c');
        await writer.abort();
        assert.equal(await driver.stat('conf/abort/c'), undefined);
      });

      it('abort after commit is a no-op', async () => {
        const writer = await driver.createWriter('conf/abort/d');
        await pipeline(Readable.from([Buffer.from('kept')]), writer.stream);
        await writer.commit();
        await writer.abort();
        assert.equal((await driver.get('conf/abort/d'))?.toString(), 'kept');
        await driver.delete('conf/abort/d');
      });

      it('abort of a writer to an existing key leaves the old object alone', async () => {
        await driver.put('conf/abort/e', Buffer.from('old'));
        const writer = await driver.createWriter('conf/abort/e');
        await pipeline(Readable.from([Buffer.from('new')]), writer.stream);
        await writer.abort();
        assert.equal((await driver.get('conf/abort/e'))?.toString(), 'old');
        await driver.delete('conf/abort/e');
      });

      it('a source that fails makes commit reject, and abort then leaves nothing', async () => {
        const writer = await driver.createWriter('conf/fail/a');
        const failing = Readable.from((async function* () {
          yield randomBytes(50_000);
          throw new Error('the client went away');
        })());
        await assert.rejects(pipeline(failing, writer.stream), /the client went away/);
        await assert.rejects(writer.commit());
        await writer.abort();
        assert.equal(await driver.stat('conf/fail/a'), undefined);
      });

      it('a destroyed stream makes commit reject', async () => {
        const writer = await driver.createWriter('conf/fail/b');
        const failed = new Promise((resolve) => writer.stream.once('error', resolve));
        writer.stream.write(randomBytes(1000));
        writer.stream.destroy(new Error('cut off'));
        await failed;
        await assert.rejects(writer.commit());
        await writer.abort();
        assert.equal(await driver.stat('conf/fail/b'), undefined);
      });

      it('commit before the stream finished rejects and shows nothing', async () => {
        const writer = await driver.createWriter('conf/fail/c');
        writer.stream.write(randomBytes(1000));
        await assert.rejects(writer.commit());
        await writer.abort();
        assert.equal(await driver.stat('conf/fail/c'), undefined);
      });

      it('commit twice rejects the second time and keeps the object', async () => {
        const writer = await driver.createWriter('conf/fail/d');
        await pipeline(Readable.from([Buffer.from('once')]), writer.stream);
        await writer.commit();
        await assert.rejects(writer.commit());
        assert.equal((await driver.get('conf/fail/d'))?.toString(), 'once');
        await driver.delete('conf/fail/d');
      });

      it('concurrent writers to different keys each get their own bytes', async () => {
        const datas = Array.from({ length: 8 }, (_, i) => randomBytes(300_000 + i * 4099));
        await Promise.all(datas.map(async (data, i) => {
          const writer = await driver.createWriter(`conf/many/${i}`);
          await pipeline(Readable.from(chunked(data, 65_536)), writer.stream);
          await writer.commit();
        }));
        for (const [i, data] of datas.entries()) assert.deepEqual(await driver.get(`conf/many/${i}`), data);
        await Promise.all(datas.map((_, i) => driver.delete(`conf/many/${i}`)));
      });

      it('concurrent writers to one key: the last commit wins whole', async () => {
        const [a, b] = [randomBytes(200_000), randomBytes(150_000)];
        const [wa, wb] = await Promise.all([driver.createWriter('conf/race'), driver.createWriter('conf/race')]);
        await Promise.all([pipeline(Readable.from(chunked(a, 7000)), wa.stream), pipeline(Readable.from(chunked(b, 9000)), wb.stream)]);
        await wa.commit();
        await wb.commit();
        assert.deepEqual(await driver.get('conf/race'), b);
        await driver.delete('conf/race');
      });

      it('round-trips 64 MiB streamed both ways, compared by hash', async () => {
        const size = 64 * 1024 * 1024 + 12_345;
        const written = createHash('sha256');
        const writer = await driver.createWriter('conf/large');
        await pipeline(generate(size, 1024 * 1024 + 7, (chunk) => written.update(chunk)), writer.stream);
        assert.equal(writer.bytesWritten, size);
        await writer.commit();
        assert.equal((await driver.stat('conf/large'))?.size, size);
        const read = createHash('sha256');
        let length = 0;
        await pipeline(await driver.createReadStream('conf/large'), new Writable({
          write(chunk: Buffer, _encoding, callback) {
            read.update(chunk);
            length += chunk.length;
            callback();
          },
        }));
        assert.equal(length, size);
        assert.equal(read.digest('hex'), written.digest('hex'));
        await driver.delete('conf/large');
      });
    });

    describe('ranged reads', () => {
      const data = randomBytes(1000);
      const read = async (range?: ByteRange) => readAll(await driver.createReadStream('conf/range', range));

      before(async () => {
        fixtures.add('conf/range');
        await driver.put('conf/range', data);
      });
      after(async () => {
        await driver.delete('conf/range');
        fixtures.delete('conf/range');
      });

      it('reads the whole object without a range', async () => assert.deepEqual(await read(), data));
      it('reads the first byte', async () => assert.deepEqual(await read({ start: 0, end: 0 }), data.subarray(0, 1)));
      it('reads the last byte', async () => assert.deepEqual(await read({ start: 999, end: 999 }), data.subarray(999)));
      it('reads a middle range, both ends included', async () => {
        assert.deepEqual(await read({ start: 100, end: 199 }), data.subarray(100, 200));
      });
      it('reads the whole object as a range', async () => assert.deepEqual(await read({ start: 0, end: 999 }), data));
      it('cuts a range that runs past the end short', async () => {
        assert.deepEqual(await read({ start: 990, end: 5000 }), data.subarray(990));
      });
      it('refuses a range that starts past the end', async () => {
        await assertCode(driver.createReadStream('conf/range', { start: 1000, end: 1200 }), 'range_not_satisfiable');
      });
      it('throws not_found for a missing key', async () => {
        await assertCode(driver.createReadStream('conf/nothing-here'), 'not_found');
        await assertCode(driver.createReadStream('conf/nothing-here', { start: 0, end: 0 }), 'not_found');
      });
    });

    describe('delete and list', () => {
      it('delete is idempotent', async () => {
        await driver.put('conf/del', Buffer.from('x'));
        await driver.delete('conf/del');
        await driver.delete('conf/del');
        await driver.delete('conf/never-existed');
        assert.equal(await driver.stat('conf/del'), undefined);
      });

      it('lists committed keys by prefix', async () => {
        const keys = ['list/a/1', 'list/a/2', 'list/a/sub/3', 'list/ab/4', 'list/b/5', 'list/a.txt'];
        for (const key of keys) await driver.put(key, Buffer.from(key));
        const pending = await driver.createWriter('list/a/pending');
        await pipeline(Readable.from([Buffer.from('not yet')]), pending.stream);

        assert.deepEqual(await listAll(driver, 'list/a/'), ['list/a/1', 'list/a/2', 'list/a/sub/3']);
        assert.deepEqual(await listAll(driver, 'list/a'), ['list/a.txt', 'list/a/1', 'list/a/2', 'list/a/sub/3', 'list/ab/4']);
        assert.deepEqual(await listAll(driver, 'list/a/s'), ['list/a/sub/3']);
        assert.deepEqual(await listAll(driver, 'list/'), [...keys].sort());
        assert.deepEqual(await listAll(driver, ''), [...keys].sort());
        assert.deepEqual(await listAll(driver, 'list/zzz/'), []);
        assert.deepEqual(await listAll(driver, 'nowhere/'), []);

        await pending.abort();
        for (const key of keys) await driver.delete(key);
      });
    });

    describe('keys', () => {
      const invalid = ['../x', '/abs', '', 'UPPER', 'a/../b', 'a/./b', 'a//b', 'a/', '.hidden', 'a\\b', 'a b', 'x'.repeat(1025)];

      it('refuses invalid keys in every operation', async () => {
        for (const key of invalid) {
          const label = JSON.stringify(key.slice(0, 20));
          await assertCode(driver.stat(key), 'bad_request', label);
          await assertCode(driver.get(key), 'bad_request', label);
          await assertCode(driver.put(key, Buffer.from('x')), 'bad_request', label);
          await assertCode(driver.createReadStream(key), 'bad_request', label);
          await assertCode(driver.createWriter(key), 'bad_request', label);
          await assertCode(driver.delete(key), 'bad_request', label);
        }
      });

      it('refuses invalid list prefixes', async () => {
        for (const prefix of ['../', '/x', 'A/', 'a//']) await assertCode(listAll(driver, prefix), 'bad_request', prefix);
      });

      it('accepts the full key alphabet and deep keys', async () => {
        const key = 'k0/a.b_c-d/9/e/f/g/h';
        await driver.put(key, Buffer.from('deep'));
        assert.equal((await driver.get(key))?.toString(), 'deep');
        assert.deepEqual(await listAll(driver, 'k0/'), [key]);
        await driver.delete(key);
      });
    });

    describe('purgeStaging', () => {
      it('leaves a live write alone when the cutoff is older than it', async () => {
        const writer = await driver.createWriter('conf/purge/live');
        writer.stream.write(randomBytes(1000));
        assert.equal(await driver.purgeStaging(new Date(Date.now() - 3_600_000)), 0);
        await new Promise<void>((resolve) => writer.stream.end(resolve));
        await writer.commit();
        assert.equal((await driver.stat('conf/purge/live'))?.size, 1000);
        await driver.delete('conf/purge/live');
      });

      it('removes writes a crash left behind, and never committed objects', async () => {
        await driver.put('conf/purge/kept', Buffer.from('committed'));
        // Crashed uploads: bytes staged, never committed nor aborted.
        const abandoned: BlobWriter[] = [];
        for (let i = 0; i < 3; i++) {
          const writer = await driver.createWriter(`conf/purge/lost-${i}`);
          await new Promise<void>((resolve) => writer.stream.end(randomBytes(10_000), resolve));
          abandoned.push(writer);
        }
        const stagedBefore = (await staged(subject)).length;
        const removed = await driver.purgeStaging(new Date(Date.now() + 60_000));
        if (subject.stagedWrites) assert.equal(removed, stagedBefore);
        assert.deepEqual(await staged(subject), []);
        assert.deepEqual(await listAll(driver, ''), ['conf/purge/kept']);
        // A purged write can no longer be committed, and aborting it is still safe.
        for (const writer of abandoned) {
          await writer.commit().catch(() => undefined);
          await writer.abort();
        }
        for (let i = 0; i < 3; i++) await driver.delete(`conf/purge/lost-${i}`);
        await driver.delete('conf/purge/kept');
      });
    });
  });
}

async function listAll(driver: StorageDriver, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of driver.list(prefix)) keys.push(key);
  return keys.sort();
}

async function staged(subject: DriverUnderTest): Promise<string[]> {
  return subject.stagedWrites ? subject.stagedWrites() : [];
}

/** The whole of a stream, for tests that check what a driver handed back. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function assertCode(promise: Promise<unknown>, code: string, label?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ImagoError, `${label ?? ''}: expected an ImagoError, got ${String(err)}`);
    assert.equal(err.code, code, label);
    return true;
  });
}

function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** `size` random bytes in fresh chunks, made as they are read, each shown to `seen` first. */
function generate(size: number, chunkSize: number, seen: (chunk: Buffer) => void): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(chunkSize, left)));
      left -= chunk.length;
      seen(chunk);
      this.push(chunk);
    },
  });
}
