/**
 * `npm run bench [-- --quick] [-- --only upload,list]`: measures Imago against the machine's
 * own limits measured in the same run and prints one table (see docs/benchmarks.md and
 * options.ts). Every process it starts is stopped and every temporary file removed, also on
 * failure and on Ctrl-C.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startBaselines } from './baselines.js';
import { startCatalog } from './catalog.bench.js';
import { startDataPlane } from './data-plane.bench.js';
import { startFormats } from './formats.bench.js';
import { imagoBuild, startImago } from './imago-process.js';
import { parseOptions } from './options.js';
import { cpuPressureMicros } from './proc-stats.js';
import { killAllNow, run, stopAll } from './processes.js';
import { buildReport } from './report.js';
import { emptyResults, type Phase } from './results.js';
import { formatSize } from './stats.js';
import { writeTestFile } from './test-data.js';

const options = parseOptions(process.argv.slice(2));
const s = options.sections;
const started = Date.now();
const log = (message: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

const scratch = await mkdtemp(join(options.dir, 'imago-bench-run-'));
const profileDir = options.profile ? await mkdtemp(join(tmpdir(), 'imago-bench-profiles-')) : undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every child and removing ${scratch}`);
    killAllNow();
    rmSync(scratch, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const results = emptyResults();
const phases: Phase[] = [];
const pressureAtStart = cpuPressureMicros();
try {
  const df = (await run('df', ['-h', '--output=source,target', scratch])).stdout.trim().split('\n').at(-1)?.replace(/\s+/g, ' ') ?? '?';
  const files = { big: join(scratch, 'big.bin'), conc: join(scratch, 'conc.bin'), huge: join(scratch, 'huge.bin') };
  const dataPlane = s.has('upload') || s.has('download') || s.has('concurrent') || s.has('rss');
  const needs = {
    disk: s.has('baselines'),
    md5: s.has('baselines') || s.has('upload') || s.has('concurrent') || s.has('rss'),
    // The upload's ceiling (report.ts) adds both hashes to the bare PUT's CPU.
    sha512: s.has('baselines') || s.has('upload'),
    bareDownload: s.has('baselines') || s.has('download'),
    bareUpload: s.has('baselines') || s.has('upload'),
    bareRequests: s.has('baselines') || s.has('create'),
    bareLatency: s.has('baselines') || s.has('list'),
  };
  log(`scratch ${scratch} (${df}); generating test files`);
  if (needs.bareDownload || needs.bareUpload || s.has('upload') || s.has('download') || s.has('rss')) await writeTestFile(files.big, options.bigBytes, 1);
  if (s.has('concurrent')) await writeTestFile(files.conc, options.concBytes, 2);
  if (s.has('rss')) await writeTestFile(files.huge, options.hugeBytes, 3);

  const launch = (name: string) => startImago({
    dataDir: join(scratch, name),
    scratchDir: scratch,
    nodeFlags: options.serverFlags,
    env: options.serverEnv,
    ...(profileDir ? { profileDir } : {}),
    ...(options.imagoDist ? { dist: options.imagoDist } : {}),
  });
  if (Object.values(needs).some(Boolean)) phases.push(await startBaselines(results, needs, options, { file: files.big, scratch, log }));
  if (dataPlane) phases.push(await startDataPlane(results, options, { files, launch, log }));
  if (s.has('create') || s.has('list')) phases.push(await startCatalog(results, options, { launch, log }));
  if (s.has('convert') || s.has('inspect')) phases.push(await startFormats(results, options, { scratch, log }));
  // Rounds, not phases, outermost: each round measures baselines and Imago back to back.
  for (let run = 1; run <= options.runs; run++) {
    for (const phase of phases) await phase.round(run);
  }
  for (const phase of phases.splice(0).reverse()) await phase.stop();

  const pressure = (cpuPressureMicros() - pressureAtStart) / 1e3 / (Date.now() - started);
  const serverEnv = Object.entries(options.serverEnv).map(([name, value]) => `${name}=${value}`).join(' ');
  const header = [
    `## Imago benchmark, ${new Date().toISOString()}`,
    '',
    `- mode: ${options.quick ? 'quick' : 'full'}; ${options.runs} run(s) per figure, median reported, every run listed; sections: ${[...s].join(', ')}`,
    `- sizes: single transfers ${formatSize(options.bigBytes)}, concurrent ${options.concurrency} × ${formatSize(options.concBytes)}, RSS growth check ${formatSize(options.hugeBytes)}, lists at ${options.listImages} images, conversions of a ${formatSize(options.convertBytes)} disk`,
    `- host: ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}; Imago from ${imagoBuild(options.imagoDist)}${options.serverFlags.length ? ` with node ${options.serverFlags.join(' ')}` : ''}${serverEnv ? ` and ${serverEnv}` : ''}, SQLite catalog, log_level warn; temp files on ${df}`,
    `- neighbours: some task waited for a CPU ${Number.isFinite(pressure) ? `${(pressure * 100).toFixed(0)}%` : 'n/a'} of the run (PSI cpu "some"); load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  ];
  const report = buildReport(results, options, header);
  process.stdout.write(`\n${report.text}\n`);
  if (profileDir) process.stdout.write(`\nCPU profiles of the Imago processes: ${profileDir}\n`);
} finally {
  for (const phase of phases.reverse()) await phase.stop().catch((err: unknown) => log(`stopping: ${String(err)}`));
  await stopAll();
  await rm(scratch, { recursive: true, force: true });
}
