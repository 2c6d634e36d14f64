/**
 * Benchmark input: files of pseudo-random bytes from a seeded xorshift32, written 1 MiB at a
 * time so no image is ever held in memory. The same seed gives the same bytes on every run.
 */
import { open } from 'node:fs/promises';
import { MiB } from './stats.js';

/** A block of `size` bytes (a multiple of 4) from `seed`; the state continues in `state`. */
export function prngBlock(size: number, state: { seed: number }): Buffer {
  const block = Buffer.allocUnsafe(size);
  const words = new Uint32Array(block.buffer, block.byteOffset, size >>> 2);
  let x = state.seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  state.seed = x >>> 0;
  return block;
}

/**
 * Writes `bytes` (a multiple of 1 MiB) of seeded pseudo-random data to a new file. With
 * `zeroRuns`, runs of that many bytes alternate between data and zero bytes (written out, not
 * holes), starting with data: a disk half full, for the conversion benchmark.
 */
export async function writeTestFile(path: string, bytes: number, seed: number, zeroRuns?: number): Promise<void> {
  const state = { seed };
  const zeros = Buffer.alloc(zeroRuns === undefined ? 0 : MiB);
  const file = await open(path, 'wx');
  try {
    for (let written = 0; written < bytes; written += MiB) {
      const zero = zeroRuns !== undefined && Math.floor(written / zeroRuns) % 2 === 1;
      await file.write(zero ? zeros : prngBlock(Math.min(MiB, bytes - written), state));
    }
  } finally {
    await file.close();
  }
}

/**
 * Reads a file through once so the client sends from the page cache. This VM pages out
 * memory left untouched for about a minute, so a file written at the start of a long run may
 * be partly back on disk by the time a later round sends it.
 */
export async function warmFile(path: string): Promise<void> {
  const buffer = Buffer.allocUnsafe(MiB);
  const file = await open(path, 'r');
  try {
    for (let position = 0; ; position += MiB) {
      const { bytesRead } = await file.read(buffer, 0, MiB, position);
      if (bytesRead === 0) break;
    }
  } finally {
    await file.close();
  }
}
