/**
 * Source images for the conversion oracle tests: one raw disk with random, compressible and
 * zero regions (some unaligned, one across a VMDK grain-table boundary, a size that is not a
 * multiple of any cluster), turned by qemu-img into every input format and variant.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InputFormat } from '../../src/formats/convert/disk-format.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;

/** 33 MiB + 3 sectors: crosses the 32 MiB VMDK grain-table boundary, ends mid-cluster. */
export const SOURCE_SIZE = 33 * MIB + 1536;

export async function qemuImg(...args: string[]): Promise<string> {
  const { stdout } = await run('qemu-img', args, { maxBuffer: 16 * MIB });
  return stdout;
}

/** qemu-img's name for each format. */
export function qemuFormat(format: InputFormat): string {
  return format === 'vhd' ? 'vpc' : format;
}

export async function writeSourceRaw(path: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    const text = Buffer.from('Imago converts disk images; this line compresses well.\n'.repeat(40000));
    const regions: [number, Buffer][] = [
      [0, randomBytes(MIB)],
      [3 * MIB, randomBytes(4096)], // data in part of an otherwise zero cluster
      [5 * MIB, text.subarray(0, 2 * MIB)],
      [8 * MIB + 512, randomBytes(MIB + 488)], // sector- but not cluster-aligned
      [20 * MIB, randomBytes(64 * 1024)],
      [31 * MIB + MIB / 2, randomBytes(MIB)], // across the first grain table's end
      [SOURCE_SIZE - 4096, randomBytes(4096)], // the very end
    ];
    for (const [offset, data] of regions) await file.write(data, 0, data.length, offset);
    await file.truncate(SOURCE_SIZE);
  } finally {
    await file.close();
  }
}

export interface InputCase {
  readonly name: string;
  readonly format: InputFormat;
  readonly path: string;
  /** Whether a stream of this file can be converted (clusters in virtual order). */
  readonly streamable: boolean;
}

/** Builds every input variant from `raw` into `dir`. */
export async function buildInputs(dir: string, raw: string): Promise<InputCase[]> {
  const variants: { name: string; format: InputFormat; args: string[]; streamable?: boolean }[] = [
    { name: 'qcow2-v2', format: 'qcow2', args: ['-o', 'compat=0.10'], streamable: true },
    { name: 'qcow2-v3', format: 'qcow2', args: ['-o', 'compat=1.1'], streamable: true },
    { name: 'qcow2-4k-clusters', format: 'qcow2', args: ['-o', 'cluster_size=4096'], streamable: true },
    { name: 'qcow2-zlib', format: 'qcow2', args: ['-c'], streamable: true },
    { name: 'qcow2-zstd', format: 'qcow2', args: ['-c', '-o', 'compression_type=zstd'], streamable: true },
    { name: 'qcow2-zstd-4k-clusters', format: 'qcow2', args: ['-c', '-o', 'compression_type=zstd,cluster_size=4096'], streamable: true },
    { name: 'qcow2-extended-l2', format: 'qcow2', args: ['-o', 'extended_l2=on,cluster_size=16384'], streamable: true },
    { name: 'vmdk-monolithicSparse', format: 'vmdk', args: ['-o', 'subformat=monolithicSparse'] },
    { name: 'vmdk-streamOptimized', format: 'vmdk', args: ['-o', 'subformat=streamOptimized'], streamable: true },
    { name: 'vhd-fixed', format: 'vhd', args: ['-o', 'subformat=fixed'] },
    { name: 'vhd-dynamic', format: 'vhd', args: ['-o', 'subformat=dynamic'] },
    { name: 'vhdx', format: 'vhdx', args: [] },
    { name: 'vdi-dynamic', format: 'vdi', args: [] },
    { name: 'vdi-static', format: 'vdi', args: ['-o', 'static=on'] },
  ];
  const cases: InputCase[] = [{ name: 'raw', format: 'raw', path: raw, streamable: true }];
  await Promise.all(
    variants.map(async (v) => {
      const path = join(dir, `${v.name}.img`);
      await qemuImg('convert', '-f', 'raw', '-O', qemuFormat(v.format), ...v.args, raw, path);
      cases.push({ name: v.name, format: v.format, path, streamable: v.streamable === true });
    }),
  );
  cases.push({ name: 'qcow2-subclusters', format: 'qcow2', path: await subclusterImage(dir), streamable: true });
  return cases;
}

/** Extended L2 with partly allocated and explicitly zeroed subclusters (written by qemu-io). */
async function subclusterImage(dir: string): Promise<string> {
  const path = join(dir, 'qcow2-subclusters.img');
  await qemuImg('create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=65536', path, '3M');
  await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0xab 6k 4k', '-c', 'write -P 0xcd 70k 2k', '-c', 'write -P 0x11 1M 64k', '-c', 'write -z 1M 8k', path]);
  return path;
}

/** `qemu-img compare` exits 0 when the guest-visible contents match (extra space must be zero). */
export async function assertSameContents(a: string, aFormat: string, b: string, bFormat: string): Promise<void> {
  await qemuImg('compare', '-f', aFormat, '-F', bFormat, a, b);
}
