/**
 * Upload data-path throughput: how close the parallel hasher (md5 + sha512) and the filesystem
 * store come to md5 alone, the floor any Glance-compatible upload pays.
 *
 *   node --import tsx bench/hash-throughput.ts [--gib 1] [--chunk 65536] [--runs 3] [--dir DIR] [--cold]
 *
 * The source repeats one generated MiB in `--chunk` slices (64 KiB by default, what an HTTP
 * socket delivers), so making it costs nothing and the image is never in memory. Each round
 * runs every case once; medians over `--runs` rounds are reported. MB/s are 10^6 bytes/s.
 *
 * Before each store case a scratch file of the same size is written and deleted, so the new
 * object's page cache comes from memory the kernel already holds, as on a busy server. On a
 * freshly booted VM that returns free memory to its host, first-touch pages otherwise cost
 * several times the write itself; `--cold` skips this to show that case.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ImageHasherPool } from '../src/lib/image-hasher.js';
import { FsDriver } from '../src/storage/fs.driver.js';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '1' },
    chunk: { type: 'string', default: String(64 * 1024) },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: tmpdir() },
    cold: { type: 'boolean', default: false },
  },
});
const total = Math.round(Number(values.gib) * 1024 ** 3);
const chunkSize = Number(values.chunk);
const runs = Number(values.runs);

const block = Buffer.alloc(1024 * 1024);
for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);

function source(): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: chunkSize,
    read() {
      if (sent >= total) return void this.push(null);
      const offset = sent % block.length;
      const n = Math.min(chunkSize, total - sent, block.length - offset);
      sent += n;
      this.push(block.subarray(offset, offset + n));
    },
  });
}

function hashSink(algorithm: string): Writable {
  const hash = createHash(algorithm);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
    final(callback) {
      hash.digest();
      callback();
    },
  });
}

function nullSink(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

async function warmPageCache(dir: string): Promise<void> {
  if (values.cold) return;
  const path = join(dir, 'scratch');
  const file = await open(path, 'w');
  for (let written = 0; written < total; written += block.length) await file.write(block);
  await file.close();
  await rm(path);
}

async function rate(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return total / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const pool = new ImageHasherPool();
const dir = await mkdtemp(join(values.dir, 'imago-bench-'));
try {
  const driver = new FsDriver({ name: 'bench', root: dir });
  console.log(`${(total / 1024 ** 3).toFixed(2)} GiB in ${chunkSize}-byte chunks, median of ${runs}; store in ${dir}${values.cold ? ' (cold page cache)' : ''}`);

  const store = async (key: string, hash: boolean): Promise<void> => {
    const writer = await driver.createWriter(key);
    const hasher = hash ? pool.create() : undefined;
    await (hasher ? pipeline(source(), hasher, writer.stream) : pipeline(source(), writer.stream));
    await hasher?.digests();
    await writer.commit();
    await driver.delete(key);
  };
  const cases: [string, () => Promise<void>, (() => Promise<void>)?][] = [
    ['(a) md5 alone', () => pipeline(source(), hashSink('md5'))],
    ['(b) sha512 alone', () => pipeline(source(), hashSink('sha512'))],
    ['(c) parallel hasher', async () => {
      const hasher = pool.create();
      await pipeline(source(), hasher, nullSink());
      await hasher.digests();
    }],
    ['(e) fs writer + commit, no hashing', () => store('bench/plain', false), () => warmPageCache(dir)],
    ['(d) parallel hasher → fs + commit', () => store('bench/hashed', true), () => warmPageCache(dir)],
  ];
  // Rounds run every case back to back, so the ratios compare runs made under the same load.
  const rates: number[][] = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, [, run, prepare]] of cases.entries()) {
      await prepare?.();
      rates[i]!.push(await rate(run));
    }
  }
  for (const [i, [label]] of cases.entries()) {
    console.log(`${label.padEnd(36)} ${median(rates[i]!).toFixed(0).padStart(5)} MB/s   runs: ${rates[i]!.map((r) => r.toFixed(0)).join(' ')}`);
  }
  const ratio = (i: number) => median(rates[i]!.map((r, round) => r / rates[0]![round]!)).toFixed(2);
  console.log(`(c)/(a) = ${ratio(2)}   (d)/(a) = ${ratio(4)}   (median of per-round ratios; target for (d)/(a): 0.75)`);
} finally {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
}
