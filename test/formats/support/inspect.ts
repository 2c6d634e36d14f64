/**
 * Runs an image through both inspection entry points and checks they agree: the streaming
 * inspector (fed in irregular chunk sizes, so chunk boundaries fall everywhere) and the
 * random-access one.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { inspectBuffer, inspectFile, inspectSource, bufferSource, StreamingInspector } from '../../../src/formats/inspect/index.js';
import type { InspectionVerdict, InspectOptions } from '../../../src/formats/inspect/index.js';

const CHUNKS = [1, 4093, 65536, 511, 1 << 20, 3];

/** Streams `buf` through a StreamingInspector in chunks cycling through `sizes`. */
export function streamVerdict(buf: Buffer, options: InspectOptions, sizes: readonly number[] = CHUNKS): { verdict: InspectionVerdict; earlyAt: number | null } {
  const inspector = new StreamingInspector(options);
  let at = 0;
  let earlyAt: number | null = null;
  for (let i = 0; at < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    const refusal = inspector.push(buf.subarray(at, at + n));
    at = Math.min(at + n, buf.length);
    if (refusal && earlyAt === null) earlyAt = at;
  }
  return { verdict: inspector.finish(), earlyAt };
}

/** Inspects a file both ways, asserts the verdicts are identical and returns it. */
export async function inspectBoth(path: string, options: InspectOptions = {}): Promise<InspectionVerdict> {
  const random = await inspectFile(path, options);
  const { verdict } = streamVerdict(await readFile(path), options);
  assert.deepEqual(verdict, random, `streaming and random-access verdicts differ for ${path}`);
  return random;
}

/** The same for bytes in memory. */
export async function inspectBytesBoth(buf: Buffer, options: InspectOptions = {}): Promise<InspectionVerdict> {
  const random = await inspectSource(bufferSource(buf), options);
  assert.deepEqual(streamVerdict(buf, options).verdict, random, 'streaming and random-access verdicts differ');
  assert.deepEqual(inspectBuffer(buf, options), random, 'single-chunk streaming differs');
  return random;
}

export function assertRefused(v: InspectionVerdict, reasons: string | readonly string[], note = ''): void {
  const list = typeof reasons === 'string' ? [reasons] : reasons;
  assert.equal(v.ok, false, `expected a refusal (${list.join('|')}) ${note}, got ${JSON.stringify(v)}`);
  if (!v.ok) assert.ok(list.includes(v.reason), `reason ${v.reason} not in ${list.join('|')} ${note}: ${v.message}`);
}

export function assertAccepted(v: InspectionVerdict, format: string, virtualSize?: number): void {
  assert.ok(v.ok, `expected ${format} to be accepted, got ${JSON.stringify(v)}`);
  if (!v.ok) return;
  assert.equal(v.format, format);
  if (virtualSize !== undefined) assert.equal(v.virtualSize, virtualSize);
}
