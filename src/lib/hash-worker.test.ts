import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ServiceUnavailableError } from '../domain/errors.js';
import { HashWorker, type HashStream } from './hash-worker.js';

/** Writes all of `chunk`, waiting for room in the lane as often as needed. */
async function write(stream: HashStream, chunk: Uint8Array): Promise<void> {
  for (let rest = stream.write(chunk); rest !== null; rest = stream.write(rest)) {
    await new Promise<void>((resolve, reject) => stream.whenRoom((err) => (err ? reject(err) : resolve())));
  }
}

const sha512 = (data: Uint8Array): string => createHash('sha512').update(data).digest('hex');

describe('HashWorker', () => {
  it('hashes consecutive streams independently, empty ones included', async () => {
    const worker = new HashWorker('sha512');
    try {
      for (const data of [randomBytes(5 * 1024 * 1024 + 1), Buffer.alloc(0), randomBytes(3)]) {
        const stream = worker.openStream();
        await write(stream, data);
        assert.equal(await stream.end(), sha512(data));
      }
    } finally {
      await worker.terminate();
    }
  });

  it('drops an abandoned hash; a digest already asked for rejects and never leaks into the next', async () => {
    const worker = new HashWorker('md5');
    try {
      const first = worker.openStream();
      await write(first, randomBytes(1000));
      const dropped = assert.rejects(first.end(), /abandoned/);
      first.abandon();
      // The abandoned lane is the free one, so the next stream reuses it.
      const next = worker.openStream();
      await write(next, Buffer.from('next'));
      assert.equal(await next.end(), createHash('md5').update('next').digest('hex'));
      await dropped;
    } finally {
      await worker.terminate();
    }
  });

  it('hashes several streams at once, with interleaved writes of different sizes', async () => {
    const worker = new HashWorker('sha512');
    try {
      const sizes = [[1, 4093, 65_536], [300_001], [7, 131_072, 17], [65_536]];
      const datas = sizes.map((_, i) => randomBytes(3 * 1024 * 1024 + i * 1000));
      const streams = datas.map(() => worker.openStream());
      assert.equal(worker.streams, 4);
      const offsets = datas.map(() => 0);
      // Round-robin, one chunk per stream per turn, each stream with its own chunk sizes.
      for (let turn = 0; offsets.some((offset, i) => offset < datas[i]!.length); turn++) {
        await Promise.all(streams.map((stream, i) => {
          const size = sizes[i]![turn % sizes[i]!.length]!;
          const chunk = datas[i]!.subarray(offsets[i], offsets[i]! + size);
          offsets[i]! += chunk.length;
          return write(stream, chunk);
        }));
      }
      const digests = await Promise.all(streams.map((stream) => stream.end()));
      assert.deepEqual(digests, datas.map(sha512));
      assert.equal(worker.streams, 0);
    } finally {
      await worker.terminate();
    }
  });

  it('keeps hashing other streams while one is stalled with a full lane, or abandoned', async () => {
    const worker = new HashWorker('sha512');
    try {
      const stalled = worker.openStream();
      // More than a lane holds: what did not fit is never written, as from a stalled client.
      assert.notEqual(stalled.write(randomBytes(4 * 1024 * 1024)), null);
      const doomed = worker.openStream();
      const doomedWrite = write(doomed, randomBytes(8 * 1024 * 1024));
      const data = randomBytes(6 * 1024 * 1024 + 5);
      const live = worker.openStream();
      await write(live, data.subarray(0, 1024 * 1024));
      doomed.abandon();
      await write(live, data.subarray(1024 * 1024));
      assert.equal(await live.end(), sha512(data));
      stalled.abandon();
      assert.equal(worker.streams, 0);
      // The abandoned writer waited for room: it is never called back, and holds up no one.
      void doomedWrite.catch(() => undefined);
      const after = randomBytes(100_000);
      const next = worker.openStream();
      await write(next, after);
      assert.equal(await next.end(), sha512(after), 'the abandoned bytes did not leak into a reused lane');
    } finally {
      await worker.terminate();
    }
  });

  it('fails every stream, waiting writers and pending digests, with a typed error when the thread dies', async () => {
    const worker = new HashWorker('sha512');
    const streams = [worker.openStream(), worker.openStream()];
    // More than a lane holds, so the writes must wait for the worker, which is then killed.
    const waiting = streams.map((stream) => write(stream, randomBytes(4 * 1024 * 1024)));
    const killed = worker.terminate();
    for (const w of waiting) {
      await assert.rejects(w, (err) => err instanceof ServiceUnavailableError && err.reason === 'upload.hasher_failed');
    }
    await killed;
    assert.equal(worker.healthy, false);
    await assert.rejects(streams[0]!.end(), ServiceUnavailableError);
    assert.throws(() => streams[1]!.write(Buffer.from('x')), ServiceUnavailableError);
    assert.throws(() => worker.openStream(), ServiceUnavailableError);
  });
});
