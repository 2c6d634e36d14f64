/**
 * Compressed and archive containers (disk-formats.md §2.2, §3.8). qemu reads them as raw, so an
 * upload of a gzipped qcow2 would become a "raw" disk of compressed bytes, and decompressing on
 * ingest would need a bomb-proof size cap and a second inspection. Imago refuses them.
 */
import { startsWith } from './bytes.js';
import { matched, read, refuse } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

function detect(h: Buffer): string | null {
  // gzip: ID1 ID2 and CM=8 (deflate, the only method RFC 1952 defines).
  if (startsWith(h, 0, Buffer.from([0x1f, 0x8b, 0x08]))) return 'gzip';
  if (startsWith(h, 0, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  // zstd frame, or a skippable frame (magic 0x184D2A50..5F, little-endian).
  if (startsWith(h, 0, Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (h.length >= 4 && (h.readUInt32LE(0) & 0xfffffff0) === 0x184d2a50) return 'zstd';
  // bzip2: "BZh" + block size digit + block or end-of-stream magic.
  if (/^BZh[1-9]/.test(h.toString('latin1', 0, 4))
    && (startsWith(h, 4, Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59])) || startsWith(h, 4, Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90])))) return 'bzip2';
  if (startsWith(h, 0, Buffer.from([0x04, 0x22, 0x4d, 0x18]))) return 'lz4';
  if (startsWith(h, 0, Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))) return '7z';
  if (startsWith(h, 0, 'PK\x03\x04')) return 'zip';
  // POSIX ustar / GNU tar (OVA is a tar): "ustar" at 257.
  if (startsWith(h, 257, 'ustar')) return 'tar';
  return null;
}

function* inspectCompressed(_ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, 512);
  const format = detect(h);
  if (!format) return null;
  yield* matched(format);
  refuse('unsupported_format', `${format} ${format === 'tar' || format === 'zip' ? 'archives' : 'compressed files'} are not accepted as disk images; upload the image itself`);
}

export const compressedInspector: Inspector = { name: 'compressed', run: inspectCompressed };
