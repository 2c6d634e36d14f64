/**
 * Conversion throughput, Imago vs qemu-img, on a 2 GiB disk that is half random data and half
 * zeros (written as real zero bytes, in alternating 64 MiB runs). Each case converts file to
 * file on local disk; both tools read from the page cache and leave their output in it (neither
 * syncs). Page-cache writeback makes single runs noisy, so every case runs ROUNDS times per tool,
 * alternating, after a `sync`, into a freshly removed output file; the median is reported.
 *
 *   node --import tsx bench/convert-throughput.ts [--size-mib 2048] [--dir /tmp] [--rounds 3] [--only 'raw->vhd']
 *
 * (quote the case name: an unquoted `>` is a shell redirection)
 *
 * Prints seconds per tool and Imago's speed relative to qemu-img (>= 1.0x means as fast or faster),
 * then each tool's CPU time (user + system, all threads, and the two parts), which neighbours
 * on a shared machine disturb far less than wall time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertFile } from '../src/formats/convert/convert-file.js';
import type { InputFormat, OutputFormat } from '../src/formats/convert/disk-format.js';

const { values } = parseArgs({
  options: { 'size-mib': { type: 'string', default: '2048' }, dir: { type: 'string', default: tmpdir() }, rounds: { type: 'string', default: '3' }, only: { type: 'string', multiple: true } },
});
const ROUNDS = Number(values.rounds);
const MIB = 1024 * 1024;
const size = Number(values['size-mib']) * MIB;
const dir = mkdtempSync(join(values.dir!, 'imago-bench-'));

interface Case {
  readonly name: string;
  readonly input: string;
  readonly inFormat: InputFormat;
  readonly outFormat: OutputFormat;
  /** qemu-img -O and -o for the same output. */
  readonly qemu: string[];
}

const qemuName = (format: string) => (format === 'vhd' ? 'vpc' : format);

function makeRaw(path: string): void {
  const fd = openSync(path, 'w');
  const zeros = Buffer.alloc(16 * MIB);
  for (let offset = 0; offset < size; offset += 16 * MIB) {
    const random = Math.floor(offset / (64 * MIB)) % 2 === 0;
    writeSync(fd, random ? randomBytes(16 * MIB) : zeros, 0, Math.min(16 * MIB, size - offset), offset);
  }
  closeSync(fd);
}

interface Run {
  readonly wall: number;
  readonly user: number;
  readonly sys: number;
}

/** CPU seconds of this process's waited-for children (cutime, cstime in /proc/self/stat, 100 Hz ticks). */
function childrenCpu(): { user: number; sys: number } {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0; cutime and cstime are fields 16 and 17.
  return { user: Number(fields[13]) / 100, sys: Number(fields[14]) / 100 };
}

/** Wall and CPU seconds of `fn`: this process's CPU when it runs in-process, its children's otherwise. */
async function time(out: string, fn: () => void | Promise<void>, child: boolean): Promise<Run> {
  rmSync(out, { force: true });
  execFileSync('sync');
  const cpuBefore = process.cpuUsage();
  const childBefore = childrenCpu();
  const start = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpuBefore);
  const childAfter = childrenCpu();
  rmSync(out);
  return child
    ? { wall, user: childAfter.user - childBefore.user, sys: childAfter.sys - childBefore.sys }
    : { wall, user: used.user / 1e6, sys: used.system / 1e6 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const raw = join(dir, 'source.raw');
  const qcow2 = join(dir, 'source.qcow2');
  const vmdk = join(dir, 'source.vmdk');
  console.log(`preparing a ${size / MIB} MiB source in ${dir} ...`);
  makeRaw(raw);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk]);

  const cases: Case[] = [
    { name: 'qcow2 -> raw', input: qcow2, inFormat: 'qcow2', outFormat: 'raw', qemu: ['-O', 'raw'] },
    { name: 'raw -> qcow2', input: raw, inFormat: 'raw', outFormat: 'qcow2', qemu: ['-O', 'qcow2'] },
    { name: 'raw -> vmdk (streamOptimized)', input: raw, inFormat: 'raw', outFormat: 'vmdk', qemu: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'] },
    { name: 'raw -> vhd (dynamic)', input: raw, inFormat: 'raw', outFormat: 'vhd', qemu: ['-O', 'vpc'] },
    { name: 'vmdk (streamOptimized) -> qcow2', input: vmdk, inFormat: 'vmdk', outFormat: 'qcow2', qemu: ['-O', 'qcow2'] },
  ];

  // --only narrows the run to cases whose name (spaces removed) contains one of the given strings.
  const only = values.only ?? [];
  for (const c of cases.filter((x) => only.length === 0 || only.some((o) => x.name.replaceAll(' ', '').includes(o)))) {
    const out = join(dir, 'out');
    // Warm the page cache for the input so neither tool pays for the first read.
    execFileSync('cat', [c.input], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 0 });
    const qemuRuns: Run[] = [];
    const imagoRuns: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      qemuRuns.push(await time(out, () => void execFileSync('qemu-img', ['convert', '-f', qemuName(c.inFormat), ...c.qemu, c.input, out]), true));
      imagoRuns.push(await time(out, () => convertFile(c.input, c.inFormat, out, c.outFormat).then(() => undefined), false));
    }
    const qemu = median(qemuRuns.map((r) => r.wall));
    const imago = median(imagoRuns.map((r) => r.wall));
    const cpu = (rs: Run[]) =>
      `${median(rs.map((r) => r.user + r.sys)).toFixed(2)} (user ${median(rs.map((r) => r.user)).toFixed(2)} sys ${median(rs.map((r) => r.sys)).toFixed(2)})`;
    const runs = (rs: { wall: number }[]) => rs.map((r) => r.wall.toFixed(2)).join(' ');
    const row =
      `${c.name.padEnd(34)} qemu-img ${qemu.toFixed(2).padStart(6)} s   imago ${imago.toFixed(2).padStart(6)} s   ratio ${(qemu / imago).toFixed(2)}x` +
      `   cpu s qemu-img ${cpu(qemuRuns)} imago ${cpu(imagoRuns)}   runs qemu-img ${runs(qemuRuns)} / imago ${runs(imagoRuns)}`;
    console.log(row);
  }
}

main()
  .finally(() => rmSync(dir, { recursive: true, force: true }))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
