import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { HashWorker } from './hash-worker.js';

function write(worker: HashWorker, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => worker.write(chunk, (err) => (err ? reject(err) : resolve())));
}

describe('HashWorker', () => {
  it('hashes consecutive inputs independently, empty ones included', async () => {
    const worker = new HashWorker('sha512');
    try {
      for (const data of [randomBytes(5 * 1024 * 1024 + 1), Buffer.alloc(0), randomBytes(3)]) {
        worker.begin();
        await write(worker, data);
        assert.equal(await worker.end(), createHash('sha512').update(data).digest('hex'));
      }
    } finally {
      await worker.terminate();
    }
  });

  it('drops an abandoned hash; a digest already asked for rejects and never leaks into the next', async () => {
    const worker = new HashWorker('md5');
    try {
      worker.begin();
      await write(worker, randomBytes(1000));
      const dropped = assert.rejects(worker.end(), /abandoned/);
      worker.abandon();
      worker.begin();
      await write(worker, Buffer.from('next'));
      assert.equal(await worker.end(), createHash('md5').update('next').digest('hex'));
      await dropped;
    } finally {
      await worker.terminate();
    }
  });

  it('fails a writer waiting for room, and the pending digest, when the thread dies', async () => {
    const worker = new HashWorker('sha512');
    worker.begin();
    // More than the ring holds, so the write must wait for the worker, which is then killed.
    const waiting = write(worker, randomBytes(16 * 1024 * 1024));
    const killed = worker.terminate();
    await assert.rejects(waiting);
    await killed;
    assert.equal(worker.healthy, false);
    await assert.rejects(worker.end());
    await assert.rejects(write(worker, Buffer.from('x')));
  });
});
