/**
 * Shrinks an input while it still shows the same problem (same signature), for reproducers small
 * enough to read: drop extents, cut the file after its last kept byte, chop extents from either
 * end, zero runs of bytes (halving the run length down to 8), and finally drop zeros from the
 * kept bytes (gaps read as zeros anyway).
 */
import { execute } from './execute.js';
import type { Budget } from './execute.js';
import { signature } from './findings.js';
import { normalize } from './sample.js';
import type { Extent, Sample } from './sample.js';
import type { Target } from './target.js';

const ZERO_RUN = 32;

/** The same file with runs of zeros (at least ZERO_RUN long, or at an edge) left out of the extents. */
export function compact(s: Sample): Sample {
  const out: Extent[] = [];
  for (const e of s.extents) {
    const d = e.data;
    let i = 0;
    while (i < d.length) {
      while (i < d.length && d[i] === 0) i++;
      if (i === d.length) break;
      const start = i;
      let end = i;
      while (i < d.length) {
        if (d[i] !== 0) {
          end = ++i;
          continue;
        }
        let j = i;
        while (j < d.length && d[j] === 0) j++;
        i = j;
        if (j - end >= ZERO_RUN || j === d.length) break;
      }
      out.push({ at: e.at + start, data: Buffer.from(d.subarray(start, end)) });
    }
  }
  return normalize({ size: s.size, extents: out });
}

export async function minimize(target: Target, sample: Sample, key: string, budget: Budget, maxRuns = 20000): Promise<{ sample: Sample; runs: number }> {
  let runs = 0;
  let best = normalize(sample);
  const attempt = async (candidate: Sample): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const c = normalize(candidate);
    const { problems } = await execute(target, c, budget);
    if (!problems.some((p) => signature(p) === key)) return false;
    best = c;
    return true;
  };
  const withExtent = (i: number, e: Extent | null): Sample => ({
    size: best.size,
    extents: best.extents.flatMap((x, j) => (j !== i ? [x] : e ? [e] : [])),
  });

  for (let progress = true; progress && runs < maxRuns;) {
    progress = false;
    for (let i = best.extents.length - 1; i >= 0; i--) if (await attempt(withExtent(i, null))) progress = true;
    const lastEnd = best.extents.reduce((n, e) => Math.max(n, e.at + e.data.length), 0);
    if (lastEnd < best.size && (await attempt({ size: lastEnd, extents: best.extents }))) progress = true;
    for (let i = 0; i < best.extents.length; i++) {
      for (let cut = best.extents[i]!.data.length >> 1; cut >= 1; cut >>= 1) {
        const e = best.extents[i];
        if (!e || cut >= e.data.length) continue;
        if (await attempt(withExtent(i, { at: e.at, data: e.data.subarray(0, e.data.length - cut) }))) progress = true;
        else if (await attempt(withExtent(i, { at: e.at + cut, data: e.data.subarray(cut) }))) progress = true;
      }
    }
    for (let i = 0; i < best.extents.length; i++) {
      for (let run = best.extents[i]!.data.length >> 1; run >= 8; run >>= 1) {
        for (let at = 0; best.extents[i] && at < best.extents[i]!.data.length; at += run) {
          const e = best.extents[i]!;
          const part = e.data.subarray(at, at + run);
          if (part.every((b) => b === 0)) continue;
          const data = Buffer.from(e.data);
          data.fill(0, at, Math.min(at + run, data.length));
          if (await attempt(withExtent(i, { at: e.at, data }))) progress = true;
        }
      }
    }
  }
  return { sample: compact(best), runs };
}
