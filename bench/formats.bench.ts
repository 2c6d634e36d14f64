/**
 * Disk formats, against qemu-img on the same files in the same run (issue 3 §7):
 *   convert   a disk half pseudo-random data and half zero bytes (alternating 64 MiB runs,
 *             the zeros written out, not holes), and qemu-img's qcow2 and streamOptimized VMDK
 *             of it, converted qcow2→raw, raw→qcow2, raw→vmdk, raw→vhd and vmdk→qcow2 by
 *             `qemu-img convert` and by Imago's convertFile, alternately, each run into a
 *             freshly removed output after `sync`; the ratio is qemu-img's time over Imago's
 *   inspect   the verdict for a 10 GiB qcow2 made by `qemu-img create`: the first call in a
 *             fresh process (what `imago image inspect` pays), then warm calls
 * Each round starts a fresh process for Imago's side (formats-child.ts), which also runs
 * qemu-img, so both are timed the same way.
 */
import { join } from 'node:path';
import type { ConvertCommand, InspectCommand, InspectRun, ToolRun } from './formats-child.js';
import { childArgs, imagoModules } from './imago-process.js';
import type { BenchOptions } from './options.js';
import { run, startProcess, stopProcess, waitForReady } from './processes.js';
import type { Phase, Results } from './results.js';
import { GiB, median, MiB } from './stats.js';
import { warmFile, writeTestFile } from './test-data.js';

export interface ConvertCase {
  readonly name: string;
  readonly input: 'raw' | 'qcow2' | 'vmdk';
  readonly outFormat: string;
  /** qemu-img's -O (and -o) for the same output. */
  readonly qemu: string[];
}

export const CONVERT_CASES: readonly ConvertCase[] = [
  { name: 'qcow2→raw', input: 'qcow2', outFormat: 'raw', qemu: ['-O', 'raw'] },
  { name: 'raw→qcow2', input: 'raw', outFormat: 'qcow2', qemu: ['-O', 'qcow2'] },
  { name: 'raw→vmdk (streamOptimized)', input: 'raw', outFormat: 'vmdk', qemu: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'] },
  { name: 'raw→vhd (dynamic)', input: 'raw', outFormat: 'vhd', qemu: ['-O', 'vpc'] },
  { name: 'vmdk (streamOptimized)→qcow2', input: 'vmdk', outFormat: 'qcow2', qemu: ['-O', 'qcow2'] },
];

export const INSPECT_VIRTUAL_SIZE = 10 * GiB;
const INSPECT_CALLS = 7;
/** Length of each run of data, and of zeros, in the conversion source. */
const RUN = 64 * MiB;

export async function startFormats(results: Results, options: BenchOptions, o: { scratch: string; log(message: string): void }): Promise<Phase> {
  const s = options.sections;
  const qemuImg = async (args: string[]) => {
    const done = await run('qemu-img', args).catch((err: unknown) => {
      throw new Error(`the convert and inspect sections compare with qemu-img (Debian: apt-get install qemu-utils): ${String(err)}`);
    });
    if (done.code !== 0) throw new Error(`qemu-img ${args.join(' ')}: exit ${done.code}: ${done.stderr}`);
  };
  const inputs = { raw: join(o.scratch, 'convert-source.raw'), qcow2: join(o.scratch, 'convert-source.qcow2'), vmdk: join(o.scratch, 'convert-source.vmdk') };
  const sparse = join(o.scratch, 'inspect-10g.qcow2');
  if (s.has('convert')) {
    o.log(`convert: writing a ${options.convertBytes / MiB} MiB source, half data, half zeros, and its qcow2 and VMDK`);
    await writeTestFile(inputs.raw, options.convertBytes, 7, RUN);
    await qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', inputs.raw, inputs.qcow2]);
    await qemuImg(['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', inputs.raw, inputs.vmdk]);
  }
  if (s.has('inspect')) await qemuImg(['create', '-q', '-f', 'qcow2', sparse, String(INSPECT_VIRTUAL_SIZE)]);

  return {
    async round(round: number) {
      const child = await startFormatsChild(options, o.scratch);
      try {
        if (s.has('inspect')) {
          const r = await child.request<InspectRun>({ op: 'inspect', path: sparse, format: 'qcow2', repeat: INSPECT_CALLS });
          if (!r.ok || r.virtualSize !== INSPECT_VIRTUAL_SIZE) throw new Error(`inspect: unexpected verdict for the 10 GiB qcow2: ${JSON.stringify(r)}`);
          const entry = (results.inspect ??= { first: [], warm: [] });
          entry.first.push(r.first);
          entry.warm.push(median(r.warm));
          o.log(`inspect: first verdict ${r.first.toFixed(1)} ms, then ${median(r.warm).toFixed(2)} ms`);
        }
        if (!s.has('convert')) return;
        const output = join(o.scratch, 'convert-out');
        for (const c of CONVERT_CASES) {
          const input = inputs[c.input];
          await warmFile(input);
          const entry = (results.convert[c.name] ??= { imago: [], qemu: [] });
          const command = (tool: ConvertCommand['tool']): ConvertCommand => ({ op: 'convert', tool, input, inFormat: c.input, output, outFormat: c.outFormat, qemuArgs: c.qemu });
          // Alternate which tool goes first, so neither always inherits the other's writeback.
          for (const tool of round % 2 === 1 ? (['qemu-img', 'imago'] as const) : (['imago', 'qemu-img'] as const)) {
            const r = await child.request<ToolRun>(command(tool));
            (tool === 'imago' ? entry.imago : entry.qemu).push(r);
            o.log(`convert ${c.name}: ${tool} ${r.wall.toFixed(2)} s (cpu user ${r.user.toFixed(2)} sys ${r.sys.toFixed(2)})`);
          }
        }
      } finally {
        await child.stop();
      }
    },
    async stop() {},
  };
}

/** Starts formats-child.ts on the build under test; `request` sends one command and waits for its reply. */
async function startFormatsChild(options: BenchOptions, scratch: string) {
  const build = imagoModules(options.imagoDist);
  const spec = { convertModule: build.module('formats/convert/convert-file'), inspectModule: build.module('formats/inspect/index') };
  const child = startProcess(process.execPath, childArgs('formats-child', build.compiled, scratch), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, IMAGO_BENCH_FORMATS: JSON.stringify(spec) },
  });
  const waiting: { resolve(message: Record<string, unknown>): void; reject(err: Error): void }[] = [];
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the formats process exited (code ${code}) before it answered`));
  });
  try {
    await waitForReady(child, 'formats process', (message) => waiting.shift()?.resolve(message));
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return {
    request<T>(command: ConvertCommand | InspectCommand): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ resolve: (m) => (m.error === undefined ? resolve(m.reply as T) : reject(new Error(String(m.error)))), reject });
        child.stdin!.write(`${JSON.stringify(command)}\n`);
      });
    },
    stop: () => stopProcess(child),
  };
}
