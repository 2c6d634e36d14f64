import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { PayloadTooLargeError } from '../domain/errors.js';
import { ByteLimit } from './byte-limit.js';

const tooLarge = () => new PayloadTooLargeError('too large', { reason: 'upload.image_size_cap' });

async function run(chunks: Buffer[], limit: number): Promise<{ limiter: ByteLimit; passed: number }> {
  const limiter = new ByteLimit(limit, tooLarge);
  let passed = 0;
  await pipeline(Readable.from(chunks), limiter, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      callback();
    },
  }));
  return { limiter, passed };
}

describe('ByteLimit', () => {
  it('passes everything up to the limit and counts it', async () => {
    const { limiter, passed } = await run([Buffer.alloc(600), Buffer.alloc(400)], 1000);
    assert.equal(passed, 1000);
    assert.equal(limiter.bytes, 1000);
  });

  it('passes empty input under a zero limit', async () => {
    const { limiter, passed } = await run([], 0);
    assert.equal(passed, 0);
    assert.equal(limiter.bytes, 0);
  });

  it('fails with the given typed error on the chunk that crosses the limit, passing nothing of it', async () => {
    const limiter = new ByteLimit(1000, tooLarge);
    let passed = 0;
    const sink = new Writable({ write(chunk: Buffer, _e, callback) { passed += chunk.length; callback(); } });
    await assert.rejects(pipeline(Readable.from([Buffer.alloc(999), Buffer.alloc(2), Buffer.alloc(5000)]), limiter, sink), (err) => {
      assert.ok(err instanceof PayloadTooLargeError);
      assert.equal(err.reason, 'upload.image_size_cap');
      return true;
    });
    assert.equal(passed, 999);
    assert.equal(limiter.bytes, 1001, 'counts the bytes seen, including the crossing chunk');
  });

  it('fails one byte over a zero limit', async () => {
    await assert.rejects(pipeline(Readable.from([Buffer.alloc(1)]), new ByteLimit(0, tooLarge), new Writable({ write: (_c, _e, cb) => cb() })), PayloadTooLargeError);
  });
});
