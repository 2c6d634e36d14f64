/**
 * The results table: each Imago figure with its same-run baseline, the ratio, the target and
 * PASS/MISS, next to Glance's figures on this machine. Throughputs are MiB/s (2^20 bytes),
 * RSS is MB (10^6 bytes, as the target is stated), latencies ms.
 */
import type { ToolRun } from './formats-child.js';
import { INSPECT_VIRTUAL_SIZE } from './formats.bench.js';
import type { BenchOptions } from './options.js';
import type { Results } from './results.js';
import { formatSize, median } from './stats.js';

/**
 * Glance on this machine, copied from /work/shared/compat/results/glance-bench-sqlite.txt
 * (shared/compat/bench.sh, 2026-11-23: Debian Glance, 2 API workers, SQLite catalog, Keystone
 * tokens; medians of 3). Measured facts, kept here so the table can show them side by side.
 */
export const GLANCE = {
  uploadMiBps: 207.6, // (i) create+upload 1024 MiB
  downloadMiBps: 1696.8, // (ii) download 1024 MiB to /dev/null
  concurrentMiBps: 314.6, // (v) 4 x 256 MiB concurrent, aggregate
  concurrentFailed: '2 of 12', // (v) failed uploads (HTTP 5xx)
  rssLargestProcMiB: 168, // (iv) peak RSS during upload, largest single process
  rssSummedMiB: 454, // (iv) all glance processes summed
  createsPerSecond: { 1000: 88, 10000: 110 } as Record<number, number>, // registering images, 4 threads
  /** (iii) p50 / p99 ms by catalog size and query. */
  list: {
    1000: { 'limit=25': [60.0, 79.7], 'name=bench-000042': [6.6, 17.4], 'tag=grp-7&limit=25': [10.1, 13.4] },
    10000: { 'limit=25': [87.9, 112.2], 'name=bench-000042': [11.3, 21.8], 'tag=grp-7&limit=25': [84.1, 120.1] },
  } as Record<number, Record<string, [number, number]>>,
};

/** Machine limits measured earlier (shared/README.md, 2026-11-23), MB/s; for context only. */
const EARLIER: Record<string, string> = { diskWrite: '993 MB/s', md5: '717 MB/s', sha512: '795 MB/s', bareDownload: '~1.8 GB/s', bareUpload: '1.2–1.7 GB/s' };

export const TARGETS = {
  uploadVsMd5: 0.75,
  downloadVsBare: 0.9,
  concurrentVsMd5: 0.75,
  rssMaxMB: 120,
  rssGrowthMax: 1.1,
  listP99Ms: 5,
  createsPerSecond: 2000,
  /** qemu-img's time over Imago's, for each conversion. */
  convertVsQemu: 1.0,
  inspectMs: 50,
};

type Row = [figure: string, imago: string, runs: string, baseline: string, ratio: string, target: string, result: string, glance: string];

const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const runsOf = (values: readonly number[] | undefined, digits = 0, scale = 1) => (values ?? []).map((v) => num(v / scale, digits)).join(' ');
const verdict = (ok: boolean) => (ok ? 'PASS' : '**MISS**');

export function buildReport(results: Results, options: BenchOptions, header: string[]): { text: string; misses: number; passes: number } {
  const b = results.baselines;
  const big = formatSize(options.bigBytes);
  const rows: Row[] = [];
  let passes = 0;
  let misses = 0;
  const judge = (ok: boolean) => {
    if (ok) passes++;
    else misses++;
    return verdict(ok);
  };
  const md5 = median(b.md5 ?? []);
  const gcRow = (label: string, key: 'upload' | 'create' | 'list', per: string, scale: number) => {
    const g = results.gc[key];
    if (!g || g.requests === 0) return;
    rows.push([label, `${num(g.count)} pauses, longest ${num(g.maxMs, 1)} ms`, `${num((g.totalMs / g.requests) * scale, 2)} ms per ${per}`, '', '', 'context', '', '']);
  };

  const baselineRows: string[][] = [];
  const base = (label: string, key: 'diskWrite' | 'md5' | 'sha512' | 'bareDownload' | 'bareUpload') => {
    if (b[key]) baselineRows.push([label, num(median(b[key]!)), runsOf(b[key]), EARLIER[key] ?? '']);
  };
  base(`disk write ${big} + fdatasync, MiB/s`, 'diskWrite');
  base(`md5 in Node over ${big}, MiB/s`, 'md5');
  base(`sha512 in Node over ${big}, MiB/s`, 'sha512');
  base(`bare node:http → curl, GET ${big}, MiB/s`, 'bareDownload');
  base(`curl → bare node:http → disk, PUT ${big}, MiB/s`, 'bareUpload');
  if (b.bareUploadMachineCpu) baselineRows.push(['  the same PUT: machine CPU per GiB, core-s', num(median(b.bareUploadMachineCpu), 2), runsOf(b.bareUploadMachineCpu, 2), '']);
  if (b.bareRequests) baselineRows.push([`bare node:http JSON POST, ${options.createConcurrency} keep-alive clients, /s`, num(median(b.bareRequests)), runsOf(b.bareRequests), '']);
  if (b.bareLatency) {
    baselineRows.push([`bare node:http GET of a 14 KB JSON, sequential, p50 / p99 ms`, `${num(median(b.bareLatency.p50), 2)} / ${num(median(b.bareLatency.p99), 2)}`,
      `p99: ${runsOf(b.bareLatency.p99, 2)}`, '']);
  }

  if (results.upload) {
    const up = median(results.upload);
    rows.push([`create + upload ${big} (curl -T), MiB/s`, num(up), runsOf(results.upload), `md5 ${num(md5)}`, num(up / md5, 2),
      `≥ ${TARGETS.uploadVsMd5} × md5`, judge(up / md5 >= TARGETS.uploadVsMd5), num(GLANCE.uploadMiBps, 1)]);
    const cpu = results.cpu.upload;
    if (cpu) {
      const md5Seconds = 1024 / md5;
      const budget = (options.cores * 1024) / (TARGETS.uploadVsMd5 * md5);
      rows.push([`  server CPU per GiB uploaded, core-s (main thread)`, `${num(median(cpu.total), 2)} (${num(median(cpu.main), 2)})`, runsOf(cpu.total, 2),
        `md5 alone ${num(md5Seconds, 2)}`, num(median(cpu.total) / md5Seconds, 2), `context: target leaves ${num(budget, 2)} core-s/GiB on ${options.cores} cores, curl included`, '', '']);
    }
    gcRow('  server GC during the uploads', 'upload', 'upload', 1);
    if (b.bareUpload) {
      const bare = median(b.bareUpload);
      rows.push([`  same, vs the bare upload ceiling`, num(up), '', `bare PUT ${num(bare)}`, num(up / bare, 2), 'context', '', '']);
    }
    const bareCpu = median(b.bareUploadMachineCpu ?? []);
    if (cpu) {
      rows.push([`  machine CPU per GiB uploaded, core-s (curl and kernel included)`, num(median(cpu.machine), 2), runsOf(cpu.machine, 2),
        b.bareUploadMachineCpu ? `bare PUT ${num(bareCpu, 2)}` : '', b.bareUploadMachineCpu ? num(median(cpu.machine) / bareCpu, 2) : '', 'context', '', '']);
    }
    if (b.bareUploadMachineCpu && b.sha512) {
      // An upload that hashes costs the machine at least the bare PUT (same client, same kernel
      // work, same write and fdatasync) plus md5 and sha512 over every byte.
      const floor = bareCpu + 1024 / md5 + 1024 / median(b.sha512);
      const ceiling = (options.cores * 1024) / floor;
      rows.push([`  ceiling here: ${options.cores} cores ÷ (bare PUT + md5 + sha512, ${num(floor, 2)} core-s/GiB), MiB/s`, num(ceiling), '', `md5 ${num(md5)}`,
        num(ceiling / md5, 2), 'context: the most an upload that hashes and stores like the bare PUT can reach here', '', '']);
    }
  }
  if (results.download) {
    const down = median(results.download);
    const bare = median(b.bareDownload ?? []);
    rows.push([`download ${big} to /dev/null, MiB/s`, num(down), runsOf(results.download), `bare GET ${num(bare)}`, num(down / bare, 2),
      `≥ ${TARGETS.downloadVsBare} × bare GET`, judge(down / bare >= TARGETS.downloadVsBare), num(GLANCE.downloadMiBps, 1)]);
    const cpu = results.cpu.download;
    if (cpu) rows.push([`  server CPU per GiB downloaded, core-s (main thread)`, `${num(median(cpu.total), 2)} (${num(median(cpu.main), 2)})`, runsOf(cpu.total, 2), '', '', 'context', '', '']);
  }
  if (results.concurrent) {
    const c = results.concurrent;
    const agg = median(c.aggregate);
    rows.push([`${options.concurrency} × ${formatSize(options.concBytes)} concurrent uploads, aggregate MiB/s`, num(agg), runsOf(c.aggregate),
      `md5 ${num(md5)}`, num(agg / md5, 2), `≥ ${TARGETS.concurrentVsMd5} × md5`, judge(agg / md5 >= TARGETS.concurrentVsMd5), num(GLANCE.concurrentMiBps, 1)]);
    const cpu = results.cpu.concurrent;
    if (cpu) {
      rows.push([`  server CPU per GiB uploaded concurrently, core-s (main thread)`, `${num(median(cpu.total), 2)} (${num(median(cpu.main), 2)})`, runsOf(cpu.total, 2), '', '', 'context', '', '']);
      rows.push([`  machine CPU per GiB uploaded concurrently, core-s`, num(median(cpu.machine), 2), runsOf(cpu.machine, 2), '', '', 'context', '', '']);
    }
    rows.push(['  failed concurrent uploads', `${c.failures} of ${c.attempted}`, '', '', '', '0', judge(c.failures === 0), GLANCE.concurrentFailed]);
  }
  const rss = results.rss;
  const glanceRss = `${num(GLANCE.rssLargestProcMiB * 1.048576)} (1 proc; ${num(GLANCE.rssSummedMiB * 1.048576)} all)`;
  if (rss.idle !== undefined) rows.push(['server RSS idle after start, MB', num(rss.idle / 1e6, 1), '', '', '', 'context', '', '']);
  const rssRow = (label: string, values: number[] | undefined, glance: string) => {
    if (!values) return;
    const worst = Math.max(...values);
    rows.push([label, num(median(values) / 1e6, 1), runsOf(values, 1, 1e6), '', '', `< ${TARGETS.rssMaxMB} MB (every run)`,
      judge(worst / 1e6 < TARGETS.rssMaxMB), glance]);
  };
  rssRow(`peak server RSS, ${big} upload, MB`, rss.upload, glanceRss);
  rssRow(`peak server RSS, ${options.concurrency} concurrent uploads, MB`, rss.concurrent, '');
  rssRow(`peak server RSS, ${formatSize(options.hugeBytes)} upload, MB`, rss.huge, '');
  if (rss.huge && rss.upload) {
    const growth = median(rss.huge) / median(rss.upload);
    rows.push([`  RSS growth ${formatSize(options.hugeBytes)} vs ${big} upload`, num(median(rss.huge) / 1e6, 1), '', `${big}: ${num(median(rss.upload) / 1e6, 1)}`,
      num(growth, 2), `≤ ${TARGETS.rssGrowthMax} ×`, judge(growth <= TARGETS.rssGrowthMax), '']);
  }
  if (results.hugeUpload) rows.push([`create + upload ${formatSize(options.hugeBytes)}, MiB/s`, num(median(results.hugeUpload)), runsOf(results.hugeUpload), `md5 ${num(md5)}`, num(median(results.hugeUpload) / md5, 2), 'context', '', '']);
  if (results.creates) {
    const c = results.creates;
    const rate = median(c.rates);
    const bare = median(b.bareRequests ?? []);
    rows.push([`image creates (POST, ${c.concurrency} keep-alive clients), /s`, num(rate), runsOf(c.rates), b.bareRequests ? `bare POST ${num(bare)}` : '',
      b.bareRequests ? num(rate / bare, 2) : '', `≥ ${TARGETS.createsPerSecond}/s`,
      judge(rate >= TARGETS.createsPerSecond), `${GLANCE.createsPerSecond[10000]} (4 threads)`]);
    if (c.failures > 0) rows.push(['  failed creates', String(c.failures), '', '', '', '0', judge(false), '']);
    gcRow('  server GC during the create runs', 'create', '100 creates', 100);
  }
  if (results.populate) rows.push([`  registering ${results.populate.images} images for the lists, /s`, num(results.populate.rate), '', '', '', 'context', '', '']);
  const glanceList = GLANCE.list[options.listImages];
  for (const [query, entry] of Object.entries(results.list)) {
    const p50 = median(entry.p50);
    const p99 = median(entry.p99);
    const g = glanceList?.[query];
    const bareP99 = median(b.bareLatency?.p99 ?? []);
    rows.push([`GET /v2/images?${query} @${options.listImages} (page ${entry.page}), p50 / p99 ms`, `${num(p50, 2)} / ${num(p99, 2)}`,
      `p99: ${runsOf(entry.p99, 2)}`, b.bareLatency ? `bare GET p99 ${num(bareP99, 2)}` : '', b.bareLatency ? num(p99 / bareP99, 1) : '', `p99 < ${TARGETS.listP99Ms} ms`, judge(p99 < TARGETS.listP99Ms), g ? `${g[0]} / ${g[1]}` : '']);
  }
  gcRow('  server GC during the list requests', 'list', '100 requests', 100);
  for (const [name, entry] of Object.entries(results.convert)) {
    const imago = median(entry.imago.map((r) => r.wall));
    const qemu = median(entry.qemu.map((r) => r.wall));
    rows.push([`convert ${formatSize(options.convertBytes)} ${name}, s`, num(imago, 2), runsOf(entry.imago.map((r) => r.wall), 2), `qemu-img ${num(qemu, 2)}`,
      num(qemu / imago, 2), `≥ ${TARGETS.convertVsQemu.toFixed(1)} × qemu-img's speed`, judge(qemu / imago >= TARGETS.convertVsQemu), '']);
    const cpu = (rs: readonly ToolRun[]) => `${num(median(rs.map((r) => r.user)), 2)} / ${num(median(rs.map((r) => r.sys)), 2)}`;
    rows.push(['  CPU s, user / system: Imago (qemu-img)', `${cpu(entry.imago)} (${cpu(entry.qemu)})`, `qemu-img: ${runsOf(entry.qemu.map((r) => r.wall), 2)}`, '', '', 'context', '', '']);
  }
  if (results.inspect) {
    const first = median(results.inspect.first);
    rows.push([`inspection verdict, ${formatSize(INSPECT_VIRTUAL_SIZE)} qcow2, first call of a fresh process, ms`, num(first, 1), runsOf(results.inspect.first, 1), '', '',
      `< ${TARGETS.inspectMs} ms`, judge(first < TARGETS.inspectMs), '']);
    rows.push(['  same, warm (median of the next calls), ms', num(median(results.inspect.warm), 2), runsOf(results.inspect.warm, 2), '', '', 'context', '', '']);
  }

  const table = (title: string, head: string[], body: readonly string[][]) => {
    if (body.length === 0) return [];
    const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)];
    return [`### ${title}`, '', ...lines, ''];
  };
  const text = [
    ...header,
    '',
    ...table('Baselines (same run)', ['baseline', 'median', 'runs', 'measured earlier (shared/README.md)'], baselineRows),
    ...table('Imago against targets', ['figure', 'Imago (median)', 'runs', 'baseline', 'ratio', 'target', 'result', 'Glance'], rows),
    `${passes} PASS, ${misses} MISS. Glance: shared/compat/results/glance-bench-sqlite.txt (RSS converted from MiB to MB).`,
  ].join('\n');
  return { text, misses, passes };
}
