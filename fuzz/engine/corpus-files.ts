/**
 * Starting inputs from files (an image corpus such as test/tooling/gen-images.sh writes). A
 * file becomes a sparse input with the file's real size: its first and last 64 KiB, plus the
 * ranges the target says matter (for disk images: the metadata the inspector reads, such as
 * tables and secondary headers far from both ends), up to MAX_DATA bytes in all.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSample, MAX_DATA, normalize } from './sample.js';
import type { Extent, Sample } from './sample.js';
import type { Target } from './target.js';

const END_BYTES = 64 << 10;
/** Each range of interest is cut to this, so that one large table does not use up the budget. */
const RANGE_MAX = 128 << 10;

async function fileSample(path: string, target: Target): Promise<Sample> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, offset);
      return buf.subarray(0, bytesRead);
    };
    const ranges: [number, number][] = [[0, END_BYTES], [Math.max(0, size - END_BYTES), END_BYTES]];
    if (target.rangesOfInterest) ranges.push(...(await target.rangesOfInterest({ size, read })));
    const extents: Extent[] = [];
    let budget = MAX_DATA;
    for (const [offset, length] of ranges) {
      const n = Math.min(length, RANGE_MAX, budget);
      if (n <= 0) break;
      const data = await read(offset, n);
      extents.push({ at: offset, data });
      budget -= data.length;
    }
    return normalize({ size, extents });
  } finally {
    await fh.close();
  }
}

/** Every regular file in `dir` (not recursive), in name order. */
export async function loadCorpusDir(dir: string, target: Target): Promise<Sample[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  const out: Sample[] = [];
  for (const name of entries) {
    out.push(name.endsWith('.sparse.json') ? await loadSample(join(dir, name)) : await fileSample(join(dir, name), target));
  }
  return out;
}
