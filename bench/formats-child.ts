/**
 * The process that converts and inspects for the bench's `convert` and `inspect` sections. It
 * loads Imago's convertFile and inspectFile from the modules named in IMAGO_BENCH_FORMATS
 * (compiled dist/ normally, src/ through tsx as a fallback), prints `{"ready":true}`, then
 * answers each JSON command read from stdin with one JSON line.
 *
 * qemu-img runs from here too, so both tools are timed alike: the output removed and `sync`
 * run first, then wall time, and CPU time of every thread (this process's own for Imago, which
 * converts in-process as `imago image convert` does, and its waited-for children's for
 * qemu-img; nothing else runs meanwhile).
 *
 * Only node: modules are imported statically: the bench transpiles this file and runs it with
 * plain node (processes.ts, transpileChild).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

interface FormatsSpec {
  convertModule: string;
  inspectModule: string;
}

export type ConvertCommand = {
  op: 'convert';
  tool: 'imago' | 'qemu-img';
  input: string;
  inFormat: string;
  output: string;
  outFormat: string;
  /** qemu-img convert's arguments between `-f inFormat` and the file names. */
  qemuArgs: string[];
};
export type InspectCommand = { op: 'inspect'; path: string; format: string; repeat: number };
export type ToolRun = { wall: number; user: number; sys: number };
export type InspectRun = { first: number; warm: number[]; ok: boolean; virtualSize: number | null };

const spec = JSON.parse(process.env.IMAGO_BENCH_FORMATS ?? '') as FormatsSpec;
const { convertFile } = (await import(pathToFileURL(spec.convertModule).href)) as {
  convertFile(inPath: string, inFormat: string, outPath: string, outFormat: string): Promise<unknown>;
};
const { inspectFile } = (await import(pathToFileURL(spec.inspectModule).href)) as {
  inspectFile(path: string, options: { declaredFormat: string }): Promise<{ ok: boolean; virtualSize?: number }>;
};

/** CPU seconds of this process's waited-for children (cutime, cstime of /proc/self/stat, 100 Hz ticks). */
function childrenCpu(): { user: number; sys: number } {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields after "pid (comm) " start at field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return { user: Number(fields[13]) / 100, sys: Number(fields[14]) / 100 };
}

async function convert(c: ConvertCommand): Promise<ToolRun> {
  rmSync(c.output, { force: true });
  execFileSync('sync');
  const own = process.cpuUsage();
  const children = childrenCpu();
  const start = process.hrtime.bigint();
  if (c.tool === 'imago') await convertFile(c.input, c.inFormat, c.output, c.outFormat);
  else execFileSync('qemu-img', ['convert', '-f', c.inFormat, ...c.qemuArgs, c.input, c.output]);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const ownUsed = process.cpuUsage(own);
  const childrenAfter = childrenCpu();
  rmSync(c.output);
  return c.tool === 'imago'
    ? { wall, user: ownUsed.user / 1e6, sys: ownUsed.system / 1e6 }
    : { wall, user: childrenAfter.user - children.user, sys: childrenAfter.sys - children.sys };
}

async function inspect(c: InspectCommand): Promise<InspectRun> {
  const times: number[] = [];
  let verdict: { ok: boolean; virtualSize?: number } = { ok: false };
  for (let i = 0; i < c.repeat; i++) {
    const start = performance.now();
    verdict = await inspectFile(c.path, { declaredFormat: c.format });
    times.push(performance.now() - start);
  }
  return { first: times[0]!, warm: times.slice(1), ok: verdict.ok, virtualSize: verdict.virtualSize ?? null };
}

const lines = createInterface({ input: process.stdin });
lines.on('close', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of lines) {
  const command = JSON.parse(line) as ConvertCommand | InspectCommand;
  try {
    const reply = command.op === 'convert' ? await convert(command) : await inspect(command);
    process.stdout.write(`${JSON.stringify({ reply })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  }
}
