/**
 * The machine's own limits, measured in the same run as Imago so every Imago figure can be a
 * ratio to them: a 2-core shared VM drifts by tens of percent between runs, ratios much less.
 *
 *   disk write   Node writes one generated MiB repeatedly to a new file, then fdatasync
 *   md5, sha512  Node hashing the same amount in 64 KiB updates (what a socket delivers)
 *   bare GET     a bare node:http server streams the test file to curl over loopback
 *   bare PUT     a bare node:http server writes curl's upload to disk and fdatasyncs it
 *   bare POST/s  the create benchmark's clients against a bare server answering a parsed JSON
 *                POST with a create-sized reply: the request-rate ceiling of node:http here
 *   bare GET ms  the list benchmark's sequential GETs of a list-page-sized JSON: the latency floor
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curlDownload, curlUpload } from './curl.js';
import { ApiClient } from './http-client.js';
import { concurrentLoad, latency } from './load.js';
import type { BenchOptions } from './options.js';
import { machineBusySeconds } from './proc-stats.js';
import { startProcess, stopProcess, transpileChild, waitForReady } from './processes.js';
import type { Phase, Results } from './results.js';
import { GiB, MiB, mibPerSecond, secondsSince } from './stats.js';
import { prngBlock, warmFile } from './test-data.js';

const HASH_CHUNK = 64 * 1024;
/** Sizes of Imago's replies: one created image, and a page of 25 (measured on Imago). */
const CREATE_REPLY_BYTES = 570;
const LIST_PAGE_BYTES = 14_420;
const CREATE_BODY = { name: 'bench-000000', disk_format: 'raw', container_format: 'bare', tags: ['grp-0'], bench_index: '0' };

export interface BaselineNeeds {
  disk: boolean;
  md5: boolean;
  sha512: boolean;
  bareDownload: boolean;
  bareUpload: boolean;
  bareRequests: boolean;
  bareLatency: boolean;
}

export async function diskWrite(path: string, bytes: number): Promise<number> {
  const block = prngBlock(MiB, { seed: 7 });
  const started = process.hrtime.bigint();
  const file = await open(path, 'wx');
  try {
    for (let written = 0; written < bytes; written += MiB) await file.write(block);
    await file.datasync();
  } finally {
    await file.close();
  }
  const seconds = secondsSince(started);
  await rm(path);
  return mibPerSecond(bytes, seconds);
}

export function hashRate(algorithm: string, bytes: number): number {
  const block = prngBlock(MiB, { seed: 11 });
  const started = process.hrtime.bigint();
  const hash = createHash(algorithm);
  for (let done = 0; done < bytes; done += HASH_CHUNK) {
    const offset = done % MiB;
    hash.update(block.subarray(offset, offset + HASH_CHUNK));
  }
  hash.digest();
  return mibPerSecond(bytes, secondsSince(started));
}

export async function startBaselines(
  results: Results,
  needs: BaselineNeeds,
  options: BenchOptions,
  o: { file: string; scratch: string; log(message: string): void },
): Promise<Phase> {
  const b = results.baselines;
  const bytes = options.bigBytes;
  type Series = 'diskWrite' | 'md5' | 'sha512' | 'bareDownload' | 'bareUpload' | 'bareUploadMachineCpu' | 'bareRequests';
  const push = (key: Series, value: number) => (b[key] ??= []).push(value);
  const needsBare = needs.bareDownload || needs.bareUpload || needs.bareRequests || needs.bareLatency;
  const bare = needsBare ? await startBareServer(o.file, join(o.scratch, 'bare-upload.bin'), o.scratch) : undefined;
  const pool = bare && new ApiClient(bare.url, 'none', options.createConcurrency);
  const single = bare && new ApiClient(bare.url, 'none', 1);

  async function round(run: number): Promise<void> {
    if (needs.disk) push('diskWrite', await diskWrite(join(o.scratch, 'disk-write.bin'), bytes));
    if (needs.md5) push('md5', hashRate('md5', bytes));
    if (needs.sha512) push('sha512', hashRate('sha512', bytes));
    if (bare && (needs.bareDownload || needs.bareUpload)) await warmFile(o.file);
    if (bare && needs.bareDownload) {
      const t = await curlDownload(`${bare.url}/file`);
      if (t.status !== 200 || t.bytes !== bytes) throw new Error(`bare download: HTTP ${t.status}, ${t.bytes} bytes`);
      push('bareDownload', t.speed / MiB);
    }
    if (bare && needs.bareUpload) {
      const busy = machineBusySeconds();
      const started = process.hrtime.bigint();
      const t = await curlUpload(`${bare.url}/upload`, o.file);
      const seconds = secondsSince(started);
      if (t.status !== 204) throw new Error(`bare upload: HTTP ${t.status}`);
      push('bareUpload', mibPerSecond(bytes, seconds));
      push('bareUploadMachineCpu', (machineBusySeconds() - busy) / (bytes / GiB));
      await rm(join(o.scratch, 'bare-upload.bin'), { force: true });
    }
    if (pool && needs.bareRequests) {
      const r = await concurrentLoad(() => pool.request('POST', `/json?bytes=${CREATE_REPLY_BYTES}`, CREATE_BODY),
        { count: options.createMax, seconds: options.createSeconds, concurrency: options.createConcurrency, ok: 201 });
      push('bareRequests', r.rate);
    }
    if (single && needs.bareLatency) {
      const r = await latency(() => single.request('GET', `/json?bytes=${LIST_PAGE_BYTES}`), { requests: options.listRequests, warmup: run === 1 ? options.listWarmup : 0 });
      const l = (b.bareLatency ??= { p50: [], p99: [] });
      l.p50.push(r.p50);
      l.p99.push(r.p99);
    }
    const fmt = (key: Series) => (b[key] ? `${key} ${b[key]!.at(-1)!.toFixed(0)}` : '');
    const series: Series[] = ['diskWrite', 'md5', 'sha512', 'bareDownload', 'bareUpload'];
    o.log(`baselines run ${run}: ${series.map(fmt).filter(Boolean).join(', ')} MiB/s`
      + (b.bareRequests ? `; bare POST ${b.bareRequests.at(-1)!.toFixed(0)}/s` : '')
      + (b.bareLatency ? `; bare GET p50 ${b.bareLatency.p50.at(-1)!.toFixed(2)} ms p99 ${b.bareLatency.p99.at(-1)!.toFixed(2)} ms` : ''));
  }

  return {
    round,
    async stop() {
      pool?.close();
      single?.close();
      await bare?.stop();
    },
  };
}

async function startBareServer(file: string, upload: string, scratch: string): Promise<{ url: string; stop(): Promise<void> }> {
  const script = transpileChild(fileURLToPath(new URL('./bare-server.ts', import.meta.url)), scratch);
  const child = startProcess(process.execPath, [script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BARE_FILE: file, BARE_UPLOAD: upload },
  });
  try {
    const { url } = await waitForReady<{ url: string }>(child, 'bare server');
    return { url, stop: () => stopProcess(child) };
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
}
