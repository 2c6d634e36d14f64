/**
 * streamOptimized VMDK output (VMware "Virtual Disk Format 1.1", stream-optimized compressed
 * sparse extents): written strictly forward, so it works from a streamed input too.
 *
 *   header (gdOffset = GD_AT_END) | descriptor | grain markers + deflated grains ...
 *   | GT marker + GT (after the grains it indexes) ... | GD marker + GD
 *   | footer marker + footer (header copy with the real gdOffset) | end-of-stream marker
 *
 * qemu and VMware locate the footer at EOF-1536, so those three sectors must come last.
 * All-zero grains are not written (GTE 0), and grain tables with no grains are omitted (GDE 0).
 * Grains are deflated on the zlib thread pool, several at a time, and written in order.
 */
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import type { DiskStream } from '../read/disk.js';
import {
  COMPRESSION_DEFLATE,
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  FLAG_NEWLINE_TEST,
  GD_AT_END,
  MARKER_FOOTER,
  MARKER_GD,
  MARKER_GT,
  SECTOR,
  VMDK_MAGIC,
} from '../read/vmdk-header.js';
import { blockOf, blocks } from './blocks.js';
import type { EncodedImage } from './encoded-image.js';

const deflateAsync = promisify(deflate);

const GRAIN_SECTORS = 128;
const GRAIN_BYTES = GRAIN_SECTORS * SECTOR;
const GTES_PER_GT = 512;
const GT_SECTORS = (GTES_PER_GT * 4) / SECTOR;
/** Deflates in flight; libuv's pool has four threads by default. */
const DEFLATE_WINDOW = 8;

export interface VmdkStreamOptions {
  /** ddb.adapterType; VMware defaults to "lsilogic" for SCSI, qemu to "ide". */
  readonly adapterType?: 'ide' | 'buslogic' | 'lsilogic' | 'legacyESX';
  /** Content ID; random by default (VMware changes it on every write). */
  readonly cid?: number;
  /** File name in the extent line; the descriptor must name the file it lives in. */
  readonly extentName?: string;
}

export function writeVmdkStream(disk: DiskStream, options: VmdkStreamOptions = {}): EncodedImage {
  return { length: undefined, chunks: vmdkChunks(disk, options) };
}

async function* vmdkChunks(disk: DiskStream, options: VmdkStreamOptions): AsyncGenerator<Buffer> {
  const capacity = Math.ceil(disk.size / SECTOR);
  const descriptor = Buffer.from(descriptorText(capacity, options), 'ascii');
  const descriptorSectors = Math.ceil(descriptor.length / SECTOR);
  // The first grain starts on a grain boundary, as qemu and VMware lay it out.
  const overhead = Math.ceil((1 + descriptorSectors) / GRAIN_SECTORS) * GRAIN_SECTORS;
  const gtCount = Math.ceil(capacity / (GRAIN_SECTORS * GTES_PER_GT));
  const headerFields = { capacity, descriptorSectors, overhead };

  const start = Buffer.alloc(overhead * SECTOR);
  writeHeader(start, { ...headerFields, gdOffset: GD_AT_END });
  descriptor.copy(start, SECTOR);
  yield start;

  let sector = overhead;
  const gd = Buffer.alloc(Math.ceil((gtCount * 4) / SECTOR) * SECTOR);
  let gt = Buffer.alloc(GT_SECTORS * SECTOR);
  let gtIndex = -1;

  function* closeGt(): Generator<Buffer> {
    if (gtIndex < 0) return;
    yield metadataMarker(GT_SECTORS, MARKER_GT);
    gd.writeUInt32LE(sector + 1, gtIndex * 4);
    yield gt;
    sector += 1 + GT_SECTORS;
    gt = Buffer.alloc(GT_SECTORS * SECTOR);
  }

  const queue: { index: number; data: Promise<Buffer> }[] = [];
  async function* emit(keep: number): AsyncGenerator<Buffer> {
    while (queue.length > keep) {
      const { index, data } = queue.shift()!;
      const compressed = await data;
      const table = Math.floor(index / GTES_PER_GT);
      if (table !== gtIndex) {
        yield* closeGt();
        gtIndex = table;
      }
      gt.writeUInt32LE(sector, (index % GTES_PER_GT) * 4);
      // Grain marker: u64 LBA, u32 compressed size, data; padded to a whole sector.
      const record = Buffer.alloc(Math.ceil((12 + compressed.length) / SECTOR) * SECTOR);
      record.writeBigUInt64LE(BigInt(index * GRAIN_SECTORS), 0);
      record.writeUInt32LE(compressed.length, 8);
      compressed.copy(record, 12);
      sector += record.length / SECTOR;
      yield record;
    }
  }

  for await (const block of blocks(disk.extents(), disk.size, GRAIN_BYTES)) {
    if (block.kind === 'zero') continue;
    for (let k = 0; k < block.count; k++) {
      const index = block.index + k;
      // The last grain holds only the sectors inside the capacity.
      const bytes = Math.min(GRAIN_BYTES, capacity * SECTOR - index * GRAIN_BYTES);
      const data = deflateAsync(blockOf(block, k, GRAIN_BYTES).subarray(0, bytes));
      data.catch(() => undefined); // awaited in order by emit()
      queue.push({ index, data });
      yield* emit(DEFLATE_WINDOW - 1);
    }
  }
  yield* emit(0);
  yield* closeGt();

  yield metadataMarker(gd.length / SECTOR, MARKER_GD);
  const gdOffset = sector + 1;
  yield gd;
  sector += 1 + gd.length / SECTOR;

  yield metadataMarker(1, MARKER_FOOTER);
  const footer = Buffer.alloc(SECTOR);
  writeHeader(footer, { ...headerFields, gdOffset: BigInt(gdOffset) });
  yield footer;
  yield Buffer.alloc(SECTOR); // end-of-stream marker: all zeros
}

function writeHeader(buf: Buffer, fields: { capacity: number; descriptorSectors: number; overhead: number; gdOffset: bigint }): void {
  buf.writeUInt32LE(VMDK_MAGIC, 0);
  buf.writeUInt32LE(3, 4); // version 3: streamOptimized
  buf.writeUInt32LE(FLAG_NEWLINE_TEST | FLAG_COMPRESSED | FLAG_MARKERS, 8);
  buf.writeBigUInt64LE(BigInt(fields.capacity), 12);
  buf.writeBigUInt64LE(BigInt(GRAIN_SECTORS), 20);
  buf.writeBigUInt64LE(1n, 28); // descriptor right after the header
  buf.writeBigUInt64LE(BigInt(fields.descriptorSectors), 36);
  buf.writeUInt32LE(GTES_PER_GT, 44);
  buf.writeBigUInt64LE(0n, 48); // no redundant GD
  buf.writeBigUInt64LE(fields.gdOffset, 56);
  buf.writeBigUInt64LE(BigInt(fields.overhead), 64);
  // The newline-detection bytes let readers spot a file mangled by text-mode transfer.
  buf.write('\n \r\n', 73, 'latin1');
  buf.writeUInt16LE(COMPRESSION_DEFLATE, 77);
}

function metadataMarker(sectors: number, type: number): Buffer {
  const marker = Buffer.alloc(SECTOR);
  marker.writeBigUInt64LE(BigInt(sectors), 0);
  marker.writeUInt32LE(type, 12);
  return marker;
}

function descriptorText(capacity: number, options: VmdkStreamOptions): string {
  const cid = (options.cid ?? randomInt(0, 2 ** 32)) >>> 0;
  const cylinders = Math.max(1, Math.min(16383, Math.ceil(capacity / (16 * 63))));
  return [
    '# Disk DescriptorFile',
    'version=1',
    `CID=${cid.toString(16).padStart(8, '0')}`,
    'parentCID=ffffffff',
    'createType="streamOptimized"',
    '',
    '# Extent description',
    `RW ${capacity} SPARSE "${options.extentName ?? 'disk.vmdk'}"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.virtualHWVersion = "4"',
    `ddb.geometry.cylinders = "${cylinders}"`,
    'ddb.geometry.heads = "16"',
    'ddb.geometry.sectors = "63"',
    `ddb.adapterType = "${options.adapterType ?? 'ide'}"`,
    '',
  ].join('\n');
}
