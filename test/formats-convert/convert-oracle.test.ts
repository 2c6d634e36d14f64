/**
 * Every input format and variant x every output format, checked against qemu-img: the output
 * must have the same guest-visible contents (`qemu-img compare`) and, where qemu can check the
 * format, no errors or leaks (`qemu-img check`).
 */
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { convert, type ConvertOptions } from '../../src/formats/convert/convert.js';
import { convertFile } from '../../src/formats/convert/convert-file.js';
import type { OutputFormat } from '../../src/formats/convert/disk-format.js';
import { requireTool } from '../support/require-tool.js';
import { assertSameContents, buildInputs, qemuFormat, qemuImg, SOURCE_SIZE, writeSourceRaw, type InputCase } from './qemu-fixtures.js';

interface OutputCase {
  readonly name: string;
  readonly format: OutputFormat;
  readonly options?: ConvertOptions;
  /** Output formats qemu-img check understands. */
  readonly check?: string;
}

const OUTPUTS: OutputCase[] = [
  { name: 'raw', format: 'raw' },
  { name: 'qcow2', format: 'qcow2', check: 'qcow2' },
  { name: 'vmdk', format: 'vmdk', check: 'vmdk' },
  { name: 'vhd-dynamic', format: 'vhd' },
  { name: 'vhd-fixed', format: 'vhd', options: { vhdSubformat: 'fixed' } },
  { name: 'vhdx', format: 'vhdx', check: 'vhdx' },
];

let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function fixtures(): Promise<InputCase[]> {
  dir = await mkdtemp(join(tmpdir(), 'imago-convert-'));
  const raw = join(dir, 'source.raw');
  await writeSourceRaw(raw);
  return (await buildInputs(dir, raw)).sort((a, b) => a.name.localeCompare(b.name));
}

async function assertConverted(input: InputCase, output: OutputCase, outPath: string): Promise<void> {
  const outFormat = qemuFormat(output.format);
  await assertSameContents(input.path, qemuFormat(input.format), outPath, outFormat);
  if (output.check !== undefined) await qemuImg('check', '-q', '-f', output.check, outPath);
  const info = JSON.parse(await qemuImg('info', '--output=json', '-f', outFormat, outPath)) as { format: string; 'virtual-size': number };
  assert.equal(info.format, outFormat);
}

test('convert: every input format to every output format matches qemu-img', async (t) => {
  if (!requireTool(t, 'qemu-img') || !requireTool(t, 'qemu-io')) return;
  const inputs = await fixtures();
  for (const input of inputs) {
    for (const output of OUTPUTS) {
      await t.test(`${input.name} -> ${output.name}`, async () => {
        const outPath = join(dir!, `out-${input.name}.${output.name}`);
        const { bytesWritten } = await convertFile(input.path, input.format, outPath, output.format, output.options);
        if (output.format !== 'raw') assert.equal((await stat(outPath)).size, bytesWritten);
        await assertConverted(input, output, outPath);
        await rm(outPath);
      });
    }
  }

  await t.test('convert() announces the exact length for raw, qcow2, vhd and vhdx', async () => {
    const raw = inputs.find((i) => i.name === 'qcow2-v3')!;
    for (const output of OUTPUTS) {
      const source = await (await import('../../src/formats/read/source.js')).openFileSource(raw.path);
      try {
        const result = await convert({ input: source, inputFormat: raw.format, outputFormat: output.format, ...(output.options ? { options: output.options } : {}) });
        const outPath = join(dir!, `len.${output.name}`);
        await pipeline(result.stream, createWriteStream(outPath));
        const size = (await stat(outPath)).size;
        if (output.format === 'vmdk') assert.equal(result.length, undefined);
        else assert.equal(result.length, size, output.name);
        await rm(outPath);
      } finally {
        await source.close();
      }
    }
  });

  for (const input of inputs.filter((i) => i.streamable)) {
    for (const output of OUTPUTS.filter((o) => o.format === 'raw' || o.format === 'vmdk' || o.name === 'vhd-fixed')) {
      await t.test(`stream ${input.name} -> ${output.name}`, async () => {
        const outPath = join(dir!, `stream-${input.name}.${output.name}`);
        const stream = createReadStream(input.path);
        const result = await convert({
          input: { stream, size: SOURCE_SIZE },
          inputFormat: input.format,
          outputFormat: output.format,
          ...(output.options ? { options: output.options } : {}),
        });
        await pipeline(result.stream, createWriteStream(outPath));
        await assertConverted(input, output, outPath);
        await rm(outPath);
      });
    }
  }

  await t.test('vhd alignTo1MiB rounds the virtual size up to a whole MiB', async () => {
    const raw = inputs.find((i) => i.name === 'raw')!;
    for (const vhdSubformat of ['fixed', 'dynamic'] as const) {
      const outPath = join(dir!, `aligned-${vhdSubformat}.vhd`);
      await convertFile(raw.path, 'raw', outPath, 'vhd', { vhdSubformat, alignTo1MiB: true });
      const info = JSON.parse(await qemuImg('info', '--output=json', '-f', 'vpc', outPath)) as { 'virtual-size': number };
      assert.equal(info['virtual-size'], 34 * 1024 * 1024);
      if (vhdSubformat === 'fixed') assert.equal((await stat(outPath)).size, 34 * 1024 * 1024 + 512);
      await assertSameContents(raw.path, 'raw', outPath, 'vpc');
    }
  });
});
