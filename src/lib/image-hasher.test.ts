import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { ServiceUnavailableError } from '../domain/errors.js';
import { HashWorker } from './hash-worker.js';
import { ImageHasherPool, type ImageDigests } from './image-hasher.js';
import { YoungGenerationReclaimer } from './young-gc.js';

const pool = new ImageHasherPool();
after(() => pool.close());

function expected(data: Buffer): ImageDigests {
  return {
    md5: createHash('md5').update(data).digest('hex'),
    sha512: createHash('sha512').update(data).digest('hex'),
    size: data.length,
  };
}

/** Splits `data` into chunks whose sizes cycle through `sizes`. */
function* chunked(data: Buffer, sizes: number[]): Generator<Buffer> {
  let i = 0;
  for (let offset = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

/** Runs `chunks` through a fresh stage; returns its digests and what came out the other end. */
async function hashThrough(chunks: Iterable<Buffer>, hashers = pool): Promise<{ digests: ImageDigests; out: Buffer }> {
  const stage = hashers.create();
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stage, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  }));
  return { digests: await stage.digests(), out: Buffer.concat(out) };
}

/** Runs `test` with a pool of its own, closed afterwards whatever happens. */
async function withPool(options: ConstructorParameters<typeof ImageHasherPool>[0], test: (hashers: ImageHasherPool) => Promise<void>): Promise<void> {
  const hashers = new ImageHasherPool(options);
  try {
    await test(hashers);
  } finally {
    await hashers.close();
  }
}

describe('ImageHashStage', () => {
  it('matches crypto.createHash on empty input', async () => {
    const { digests, out } = await hashThrough([]);
    assert.deepEqual(digests, expected(Buffer.alloc(0)));
    assert.equal(out.length, 0);
  });

  const cases: [string, number, number[]][] = [
    ['one byte', 1, [1]],
    ['odd size in odd chunks', 100_003, [1, 7, 4093, 65_537]],
    ['exactly one lane slot', 128 * 1024, [65_536]],
    ['one byte past a slot', 128 * 1024 + 1, [65_536]],
    ['more than the lane, chunks larger than a slot', 9 * 1024 * 1024 + 17, [300_001, 1 << 20]],
    ['many tiny chunks', 50_001, [3, 5, 11]],
  ];
  for (const [name, size, sizes] of cases) {
    it(`matches crypto.createHash: ${name}`, async () => {
      const data = randomBytes(size);
      const { digests, out } = await hashThrough(chunked(data, sizes));
      assert.deepEqual(digests, expected(data));
      assert.ok(out.equals(data), 'the bytes pass through unchanged');
    });
  }

  it('resolves digests() asked for before the stream ends', async () => {
    const data = randomBytes(70_000);
    const stage = pool.create();
    const digests = stage.digests();
    await pipeline(Readable.from([data]), stage, new Writable({ write: (_c, _e, cb) => cb() }));
    assert.deepEqual(await digests, expected(data));
  });

  it('keeps memory bounded under a slow consumer (back-pressure)', async () => {
    const total = 48 * 1024 * 1024;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const source = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        const chunk = randomFillSync(Buffer.allocUnsafe(64 * 1024));
        produced += chunk.length;
        maxAhead = Math.max(maxAhead, produced - consumed);
        this.push(chunk);
      },
    });
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        consumed += chunk.length;
        // Slower than both hashes, so the stage is the one that must wait.
        if (consumed % (1024 * 1024) === 0) setTimeout(callback, 2);
        else callback();
      },
    });
    const stage = pool.create();
    await pipeline(source, stage, slow);
    assert.equal((await stage.digests()).size, total);
    // The stage's lane (1 MiB) plus a few chunks in stream buffers; never the whole input.
    assert.ok(maxAhead < 3 * 1024 * 1024, `${maxAhead} bytes were in flight`);
  });

  it('holds back a fast source while hashing', async () => {
    // A fast source and a null sink: hashing is the bottleneck, and it must not buffer.
    const total = 32 * 1024 * 1024;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const source = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        const chunk = Buffer.allocUnsafe(256 * 1024).fill(produced & 0xff);
        produced += chunk.length;
        maxAhead = Math.max(maxAhead, produced - consumed);
        this.push(chunk);
      },
    });
    const stage = pool.create();
    await pipeline(source, stage, new Writable({ write(chunk: Buffer, _e, cb) { consumed += chunk.length; cb(); } }));
    assert.equal((await stage.digests()).size, total);
    assert.ok(maxAhead < 2 * 1024 * 1024, `${maxAhead} bytes were in flight`);
  });
});

describe('ImageHasherPool', () => {
  it('reuses an idle worker for the next upload', async () => {
    await withPool({}, async (hashers) => {
      await hashThrough([randomBytes(1000)], hashers);
      assert.equal(hashers.size, 1);
      const data = randomBytes(300_000);
      const { digests } = await hashThrough([data], hashers);
      assert.deepEqual(digests, expected(data));
      assert.equal(hashers.size, 1);
    });
  });

  it('tells its reclaimer of every byte its stages hash, across uploads', async () => {
    let collections = 0;
    const reclaimer = new YoungGenerationReclaimer(() => { collections++; }, 1024 * 1024);
    await withPool({ reclaimer }, async (hashers) => {
      await Promise.all([
        hashThrough(chunked(randomBytes(1536 * 1024), [65_536]), hashers),
        hashThrough(chunked(randomBytes(1536 * 1024 + 5), [4093]), hashers),
      ]);
    });
    assert.equal(collections, 3, '3 MiB and 5 bytes hashed in all');
  });

  it('serves concurrent uploads from one worker, interleaved, each digest its own', async () => {
    await withPool({ maxWorkers: 1 }, async (hashers) => {
      const sizes = [[65_536], [1, 4093, 65_537], [300_001, 1 << 20], [7, 131_072]];
      const datas = sizes.map((_, i) => randomBytes(3 * 1024 * 1024 + i * 7));
      const results = await Promise.all(datas.map((data, i) => hashThrough(chunked(data, sizes[i]!), hashers)));
      results.forEach(({ digests, out }, i) => {
        assert.deepEqual(digests, expected(datas[i]!));
        assert.ok(out.equals(datas[i]!));
      });
      assert.equal(hashers.size, 1);
    });
  });

  it('starts at most maxWorkers workers, and keeps at most maxIdle once done', async () => {
    await withPool({ maxWorkers: 2, maxIdle: 1 }, async (hashers) => {
      const stages = [1, 2, 3].map(() => hashers.create());
      assert.equal(hashers.size, 2);
      stages.forEach((stage) => stage.destroy());
      assert.equal(hashers.size, 1);
      const data = randomBytes(500_000);
      assert.deepEqual((await hashThrough(chunked(data, [65_536]), hashers)).digests, expected(data));
    });
  });

  it('by default starts no more workers than the spare cores, and at least one', async () => {
    await withPool({}, async (hashers) => {
      const stages = [1, 2, 3, 4].map(() => hashers.create());
      assert.equal(hashers.size, Math.min(4, Math.max(1, availableParallelism() - 1)));
      stages.forEach((stage) => stage.destroy());
    });
  });

  it('keeps the other uploads on a worker going when one is aborted mid-way', async () => {
    await withPool({ maxWorkers: 1 }, async (hashers) => {
      const doomed = hashers.create();
      const endless = new Readable({ read() { this.push(randomBytes(65_536)); } });
      const aborted = pipeline(endless, doomed, new Writable({ write: (_c, _e, cb) => cb() }));
      const datas = [randomBytes(4 * 1024 * 1024 + 1), randomBytes(2 * 1024 * 1024 + 3)];
      const others = datas.map((data, i) => hashThrough(chunked(data, [i === 0 ? 65_536 : 10_000]), hashers));
      await sleep(10);
      doomed.destroy(new Error('the client went away'));
      await assert.rejects(aborted, /the client went away/);
      const results = await Promise.all(others);
      results.forEach(({ digests }, i) => assert.deepEqual(digests, expected(datas[i]!)));
      assert.equal(hashers.size, 1);
    });
  });

  it('fails every upload of a worker that dies with a typed error, then starts a new one', async () => {
    const started: HashWorker[] = [];
    await withPool({
      maxWorkers: 1,
      startWorker: (onIdle) => {
        const worker = new HashWorker('sha512', onIdle);
        started.push(worker);
        return worker;
      },
    }, async (hashers) => {
      const uploads = [1, 2].map(() => {
        const stage = hashers.create();
        const endless = new Readable({ read() { this.push(randomBytes(65_536)); } });
        return { stage, done: pipeline(endless, stage, new Writable({ write: (_c, _e, cb) => cb() })) };
      });
      const failed = uploads.map(({ done }) => assert.rejects(done, (err) => err instanceof ServiceUnavailableError && err.reason === 'upload.hasher_failed'));
      await sleep(10);
      await started[0]!.terminate();
      await Promise.all(failed);
      for (const { stage } of uploads) await assert.rejects(stage.digests());
      const data = randomBytes(300_000);
      assert.deepEqual((await hashThrough([data], hashers)).digests, expected(data));
      assert.equal(started.length, 2);
      assert.equal(hashers.size, 1);
    });
  });

  it('recovers a worker whose upload was abandoned half-way', async () => {
    await withPool({ maxIdle: 1 }, async (hashers) => {
      const stage = hashers.create();
      stage.on('error', () => undefined);
      stage.write(randomBytes(1024 * 1024));
      stage.destroy(new Error('the client went away'));
      await assert.rejects(stage.digests(), /the client went away/);
      assert.equal(hashers.size, 1, 'the worker went back to the pool');
      const data = randomBytes(200_000);
      const { digests } = await hashThrough(chunked(data, [10_000]), hashers);
      assert.deepEqual(digests, expected(data), 'the abandoned bytes did not leak into the next hash');
      assert.equal(hashers.size, 1);
    });
  });

  it('fails a running upload, without hanging, when the pool closes under it', async () => {
    const hashers = new ImageHasherPool();
    const stage = hashers.create();
    const endless = new Readable({ read() { this.push(randomBytes(65_536)); } });
    const failed = assert.rejects(pipeline(endless, stage, new Writable({ write: (_c, _e, cb) => cb() })));
    await sleep(20);
    await hashers.close();
    await failed;
    await assert.rejects(stage.digests());
    assert.equal(hashers.size, 0);
    assert.throws(() => hashers.create(), /closed/);
  });

  it('keeps the process alive while hashing, and not once idle', () => {
    // A script that awaits a digest with nothing else to do must get it, then exit on its own
    // although the pool is never closed.
    const script = `
      import { Readable, Writable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      import { ImageHasherPool } from ${JSON.stringify(new URL('./image-hasher.ts', import.meta.url).href)};
      const pool = new ImageHasherPool();
      const stage = pool.create();
      await pipeline(Readable.from([Buffer.from('abc')]), stage, new Writable({ write: (_c, _e, cb) => cb() }));
      console.log((await stage.digests()).md5);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, 'the process did not exit by itself');
    assert.equal(child.stdout.trim(), createHash('md5').update('abc').digest('hex'), child.stderr);
    assert.equal(child.status, 0);
  });
});
