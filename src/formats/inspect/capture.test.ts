import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamCapture } from './capture.js';
import { bufferSource, inspectRandomAccess } from './random-access.js';
import { all, fileSize, MAX_READ, matched, read, refuse, scan, tail, TAIL_WINDOW } from './task.js';
import type { Accept, Inspector, Task } from './task.js';
import type { InspectionVerdict } from './types.js';
import { combine } from './verdict.js';
import type { VerdictPolicy } from './verdict.js';

const ctx = { maxVirtualSize: 2 ** 40, allowEncrypted: false };
const policy: VerdictPolicy = { maxVirtualSize: 2 ** 40, declaredFormat: null, requireFormatMatch: true };

function inspector(name: string, run: () => Task<Accept | null>): Inspector {
  return { name, run };
}

function streamed(inspectors: Inspector[], buf: Buffer, chunk: number): { verdict: InspectionVerdict | null; earlyAt: number | null } {
  const capture = new StreamCapture(inspectors, ctx);
  let earlyAt: number | null = null;
  for (let at = 0; at < buf.length; at += chunk) {
    capture.push(buf.subarray(at, at + chunk));
    if (earlyAt === null && combine(capture.states, policy, null)) earlyAt = Math.min(at + chunk, buf.length);
  }
  capture.finish();
  return { verdict: combine(capture.states, policy, buf.length), earlyAt };
}

/** Runs inspectors through both drivers with many chunk sizes and checks they all agree. */
async function agree(inspectors: Inspector[], buf: Buffer): Promise<InspectionVerdict> {
  const random = await inspectRandomAccess(inspectors, ctx, policy, bufferSource(buf));
  for (const chunk of [1, 2, 3, 7, 64, 4096, buf.length || 1]) {
    assert.deepEqual(streamed(inspectors, buf, chunk).verdict, random, `chunk size ${chunk}`);
  }
  return random;
}

const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

describe('inspection drivers', () => {
  it('answer reads, scans, size and tail identically whatever the chunking', async () => {
    const v = await agree([inspector('t', function* () {
      const a = yield* read(0, 4);
      yield* matched('raw', 'layout');
      let sum = 0;
      let records = -1;
      yield* scan(10, 1003, 4, (rec, first) => {
        assert.equal(rec.length % 4, 0);
        assert.equal(first, records + 1, 'records arrive in order');
        records = first + rec.length / 4 - 1;
        for (const b of rec) sum += b;
      });
      const b = yield* read(2000, 8);
      const t = yield* tail(5);
      const size = yield* fileSize();
      return { virtualSize: size, details: { a: a.toString('hex'), b: b.toString('hex'), t: t.toString('hex'), sum, records } };
    })], bytes);
    assert.ok(v.ok);
    assert.equal(v.details.records, 249, 'a trailing partial record is not delivered');
    assert.equal(v.details.t, bytes.subarray(-5).toString('hex'));
  });

  it('return short reads at the end of the file', async () => {
    const v = await agree([inspector('t', function* () {
      const r = yield* read(9990, 100);
      yield* matched('raw', 'layout');
      const beyond = yield* read(20_000, 10);
      return { virtualSize: 0, details: { r: r.length, beyond: beyond.length } };
    })], bytes);
    assert.ok(v.ok);
    assert.deepEqual(v.details, { r: 10, beyond: 0 });
  });

  it('refuse a request that goes back before data already passed, in both drivers', async () => {
    const v = await agree([inspector('t', function* () {
      yield* read(100, 10);
      yield* matched('raw', 'layout');
      yield* read(50, 10);
      return { virtualSize: 0, details: {} };
    })], bytes);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.reason, 'invalid_header');
  });

  it('turn an exception thrown by a scan sink into that refusal', async () => {
    const v = await agree([inspector('t', function* () {
      yield* matched('raw', 'layout');
      yield* scan(0, 9000, 8, (rec, first) => {
        if (first + rec.length / 8 > 700) refuse('truncated', 'entry 700 points beyond the file');
      });
      return { virtualSize: 0, details: {} };
    })], bytes);
    assert.equal(!v.ok && v.message, 'entry 700 points beyond the file');
  });

  it('refuse a capture larger than MAX_READ instead of buffering it', async () => {
    const v = await agree([inspector('t', function* () {
      yield* matched('raw', 'layout');
      yield* read(0, MAX_READ + 1);
      return { virtualSize: 0, details: {} };
    })], bytes);
    assert.equal(!v.ok && v.reason, 'invalid_header');
    assert.ok(TAIL_WINDOW <= 64 * 1024);
  });

  it('fail closed when an inspector reads after asking for the end', async () => {
    const v = await agree([inspector('t', function* () {
      yield* matched('raw', 'layout');
      yield* fileSize();
      yield* read(20_000, 1);
      return { virtualSize: 0, details: {} };
    })], bytes);
    assert.equal(!v.ok && v.reason, 'invalid_header');
  });

  it('report the lowest-index failure of parallel tasks, whichever fails first in the stream', async () => {
    const v = await agree([inspector('t', function* () {
      yield* matched('raw', 'layout');
      yield* all([
        (function* () { yield* read(8000, 4); refuse('truncated', 'late but first'); })(),
        (function* () { yield* read(10, 4); refuse('invalid_header', 'early but second'); })(),
      ]);
      return { virtualSize: 0, details: {} };
    })], bytes);
    assert.equal(!v.ok && v.reason, 'truncated');
  });

  it('give each parallel task its own position and the parent the furthest one', async () => {
    const v = await agree([inspector('t', function* () {
      yield* matched('raw', 'layout');
      const [x, y] = yield* all<[number, number]>([
        (function* () { return (yield* read(5000, 4))[0]!; })(),
        (function* () { return (yield* read(100, 4))[0]!; })(),
      ]);
      const after = yield* read(5004, 1);
      return { virtualSize: 0, details: { x, y, after: after[0]! } };
    })], bytes);
    assert.ok(v.ok);
    assert.deepEqual(v.details, { x: 5000 % 251, y: 100, after: 5004 % 251 });
  });

  it('decide a refusal early once every higher-priority inspector has settled', () => {
    const slow = inspector('slow', function* () {
      yield* read(0, 4);
      return null;
    });
    const refusing = inspector('bad', function* () {
      yield* read(0, 16);
      yield* matched('qcow2');
      refuse('backing_file', 'names a backing file');
    });
    const footer = inspector('footer', function* () {
      yield* tail(512);
      return null;
    });
    const { verdict, earlyAt } = streamed([slow, refusing, footer], bytes, 8);
    assert.equal(!verdict!.ok && verdict!.reason, 'backing_file');
    assert.equal(earlyAt, 16);
  });
});
