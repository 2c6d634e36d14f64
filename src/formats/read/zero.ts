/**
 * Zero detection. Readers report all-zero data as zero extents so writers can leave holes;
 * the check runs per 64 KiB granule (the common cluster/grain size), aligned to virtual offsets,
 * and uses memcmp against a shared zero page, so it costs far less than the read itself.
 */
import type { Extent } from './disk.js';

export const ZERO_GRANULE = 64 * 1024;
const ZEROS = Buffer.alloc(ZERO_GRANULE);

export function isAllZero(data: Buffer): boolean {
  for (let i = 0; i < data.length; i += ZERO_GRANULE) {
    const n = Math.min(ZERO_GRANULE, data.length - i);
    // A cheap first-byte test rejects most data granules before the full comparison.
    if (data[i] !== 0 || data[i + n - 1] !== 0) return false;
    if (!data.subarray(i, i + n).equals(n === ZERO_GRANULE ? ZEROS : ZEROS.subarray(0, n))) return false;
  }
  return true;
}

/** Splits data read for [offset, offset + data.length) into data and zero extents. */
export function* splitZeros(offset: number, data: Buffer): Generator<Extent> {
  let runStart = 0;
  let runZero: boolean | undefined;
  let pos = 0;
  while (pos < data.length) {
    const next = Math.min(data.length, pos + ZERO_GRANULE - ((offset + pos) % ZERO_GRANULE));
    const zero = isAllZero(data.subarray(pos, next));
    if (runZero !== undefined && zero !== runZero) {
      yield piece(offset, data, runStart, pos, runZero);
      runStart = pos;
    }
    runZero = zero;
    pos = next;
  }
  if (runZero !== undefined) yield piece(offset, data, runStart, pos, runZero);
}

function piece(offset: number, data: Buffer, from: number, to: number, zero: boolean): Extent {
  return zero
    ? { offset: offset + from, length: to - from, kind: 'zero' }
    : { offset: offset + from, length: to - from, kind: 'data', data: data.subarray(from, to) };
}

/** Merges neighbouring zero extents, so a sparse disk reaches writers as a few long runs. */
export async function* mergeZeros<T extends { offset: number; length: number; kind: 'data' | 'zero' }>(
  extents: AsyncIterable<T>,
): AsyncGenerator<T> {
  let pending: T | undefined;
  for await (const extent of extents) {
    if (extent.length === 0) continue;
    if (pending !== undefined && pending.kind === 'zero' && extent.kind === 'zero') {
      pending = { ...pending, length: pending.length + extent.length };
      continue;
    }
    if (pending !== undefined) yield pending;
    pending = extent;
  }
  if (pending !== undefined) yield pending;
}
