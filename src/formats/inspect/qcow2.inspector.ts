/**
 * qcow2 v2/v3 (qemu docs/interop/qcow2.rst) and legacy qcow v1 detection.
 *
 * Everything that can make qemu open another file is refused: a backing file (the header's
 * offset/size fields or the backing-format extension), an external data file (incompatible bit
 * 2, autoclear bit 1 or the "DATA" extension). Unknown incompatible bits are refused as the spec
 * requires. Every table must lie inside the file, and the refcount blocks must not count
 * clusters beyond its end (truncation).
 */
import { describeReference, need, off64, quote, startsWith, u64, within } from './bytes.js';
import { l1Table, QCOW_MAX_L1_BYTES, QCOW_MAX_REFTABLE_BYTES, QCOW_MAX_SNAPSHOTS, refcounts, snapshotTable } from './qcow2-tables.js';
import type { RefcountSummary, SnapshotSummary } from './qcow2-tables.js';
import { all, fileSize, matched, read, refuse, Refusal } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

/** Incompatible feature bits (qcow2.rst "incompatible_features"). */
const DIRTY = 1n;
const CORRUPT = 2n;
const EXTERNAL_DATA = 4n;
const COMPRESSION_TYPE = 8n;
const EXTENDED_L2 = 16n;
const KNOWN_INCOMPATIBLE = 31n;
/** Autoclear bits. */
const BITMAPS_CONSISTENT = 1n;
const DATA_FILE_RAW = 2n;

/** Header extension types (qcow2.rst "Header extensions"). */
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_BITMAPS = 0x23852875;
const EXT_CRYPTO = 0x0537be77;
const EXT_DATA_FILE = 0x44415441;

interface Extensions {
  backingFormat?: string;
  dataFile?: string;
  crypto?: { offset: number; length: number };
  bitmaps?: { offset: number; size: number };
  /** Where the walk stopped: the thread's position is at most this. */
  end: number;
  /** A malformed extension area, reported after the security checks. */
  error?: Refusal;
}

function* extensions(start: number, end: number): Task<Extensions> {
  const out: Extensions = { end: start };
  let at = start;
  try {
    while (at + 8 <= end) {
      const e = yield* read(at, 8);
      need(e, 8, 'header extension area');
      const type = e.readUInt32BE(0);
      const len = e.readUInt32BE(4);
      at += 8;
      if (type === 0) break;
      if (len > end - at) refuse('invalid_header', `header extension 0x${type.toString(16)} (${len} bytes) runs past the header area`);
      const want = type === EXT_BACKING_FORMAT || type === EXT_DATA_FILE ? 1024 : type === EXT_CRYPTO ? 16 : type === EXT_BITMAPS ? 24 : 0;
      if (want > 0) {
        const d = yield* read(at, Math.min(len, want));
        need(d, Math.min(len, want), 'header extension area');
        if (type === EXT_BACKING_FORMAT) out.backingFormat = d.toString('latin1');
        else if (type === EXT_DATA_FILE) out.dataFile = d.toString('latin1');
        else if (type === EXT_CRYPTO && len >= 16) out.crypto = { offset: off64(d, 0), length: off64(d, 8) };
        else if (type === EXT_BITMAPS && len >= 24) out.bitmaps = { size: off64(d, 8), offset: off64(d, 16) };
        else refuse('invalid_header', `header extension 0x${type.toString(16)} is too short`);
      }
      at += Math.ceil(len / 8) * 8;
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    out.error = err;
  }
  out.end = at;
  return out;
}

function* inspectQcow2(ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, 72);
  if (!startsWith(h, 0, MAGIC)) return null;
  if (h.length < 8) {
    yield* matched('qcow2');
    refuse('truncated', 'the file ends inside the qcow2 header');
  }
  const version = h.readUInt32BE(4);
  if (version === 1) {
    yield* matched('qcow');
    refuse('unsupported_format', 'legacy qcow (version 1) images are not accepted');
  }
  yield* matched('qcow2');
  if (version !== 2 && version !== 3) refuse('invalid_header', `qcow2 version ${version} is not 2 or 3`);
  need(h, 72, 'qcow2 header');
  const backingOffset = off64(h, 8);
  const backingSize = h.readUInt32BE(16);
  const clusterBits = h.readUInt32BE(20);
  const size = u64(h, 24);
  const cryptMethod = h.readUInt32BE(32);
  const l1Size = h.readUInt32BE(36);
  const l1Offset = off64(h, 40);
  const rtOffset = off64(h, 48);
  const rtClusters = h.readUInt32BE(56);
  const nbSnapshots = h.readUInt32BE(60);
  const snapshotsOffset = off64(h, 64);

  let incompatible = 0n;
  let compatible = 0n;
  let autoclear = 0n;
  let refcountOrder = 4;
  let headerLength = 72;
  let compressionType = 0;
  if (version === 3) {
    const x = yield* read(72, 32);
    need(x, 32, 'qcow2 version 3 header');
    incompatible = u64(x, 0);
    compatible = u64(x, 8);
    autoclear = u64(x, 16);
    refcountOrder = x.readUInt32BE(24);
    headerLength = x.readUInt32BE(28);
  }
  // qemu qcow2_do_open: MIN_CLUSTER_BITS 9 .. MAX_CLUSTER_BITS 21.
  if (clusterBits < 9 || clusterBits > 21) refuse('invalid_header', `cluster_bits ${clusterBits} is outside 9..21`);
  const clusterSize = 2 ** clusterBits;
  if (version === 3) {
    if (headerLength < 104 || headerLength % 8 !== 0 || headerLength > clusterSize) {
      refuse('invalid_header', `header_length ${headerLength} is invalid (>= 104, a multiple of 8, within the first cluster)`);
    }
    if (headerLength > 104) {
      const c = yield* read(104, 1);
      need(c, 1, 'qcow2 header');
      compressionType = c[0]!;
    }
  }

  // Extensions end where the backing file name starts, or at the end of cluster 0 (qemu).
  const extEnd = backingOffset !== 0 ? Math.min(backingOffset, clusterSize) : clusterSize;
  const ext = yield* extensions(headerLength, extEnd);

  if (backingOffset !== 0 || backingSize !== 0) {
    let name = '';
    if (backingOffset >= ext.end && backingSize > 0 && backingSize <= 1023 && backingOffset + backingSize <= clusterSize) {
      name = (yield* read(backingOffset, backingSize)).toString('latin1');
    }
    const what = name ? `${quote(name)}, ${describeReference(name)}` : `at offset ${backingOffset}`;
    refuse('backing_file', `the qcow2 image names a backing file ${what}`);
  }
  if (ext.backingFormat !== undefined) refuse('backing_file', `the qcow2 image has a backing-format extension (${quote(ext.backingFormat)})`);
  if (incompatible & EXTERNAL_DATA || autoclear & DATA_FILE_RAW || ext.dataFile !== undefined) {
    const name = ext.dataFile === undefined ? '' : ` ${quote(ext.dataFile)} (${describeReference(ext.dataFile)})`;
    refuse('data_file', `the qcow2 image uses an external data file${name}: its clusters live outside the upload (CVE-2024-32498)`);
  }
  const unknown = incompatible & ~KNOWN_INCOMPATIBLE;
  if (unknown) {
    const bits = [...Array(64).keys()].filter((b) => unknown & (1n << BigInt(b)));
    refuse('unknown_feature', `unknown incompatible feature bit(s) ${bits.join(', ')} (the qcow2 spec requires refusing them)`);
  }
  if (cryptMethod > 2) refuse('invalid_header', `unknown crypt_method ${cryptMethod}`);
  if ((cryptMethod !== 0 || ext.crypto) && !ctx.allowEncrypted) {
    refuse('encrypted', `the qcow2 image is encrypted (${cryptMethod === 1 ? 'AES' : 'LUKS'}); encrypted images are not accepted`);
  }
  if (ext.error) throw ext.error;
  if (incompatible & CORRUPT) refuse('invalid_header', 'the image is marked corrupt (incompatible bit 1)');
  if (compressionType > 1) refuse('invalid_header', `unknown compression_type ${compressionType}`);
  if ((compressionType !== 0) !== ((incompatible & COMPRESSION_TYPE) !== 0n)) {
    refuse('invalid_header', 'compression_type and incompatible bit 3 disagree');
  }
  const extendedL2 = (incompatible & EXTENDED_L2) !== 0n;
  if (extendedL2 && clusterBits < 14) refuse('invalid_header', 'extended L2 entries need clusters of at least 16 KiB');
  if (refcountOrder > 6) refuse('invalid_header', `refcount_order ${refcountOrder} is above 6`);
  if (size > BigInt(ctx.maxVirtualSize)) {
    refuse('virtual_size_too_large', `the virtual size ${size} bytes is above the limit of ${ctx.maxVirtualSize} bytes`);
  }
  if (cryptMethod === 2 && !ext.crypto) refuse('invalid_header', 'LUKS encryption without its header extension');

  // Table geometry (qemu validate_table_offset and the limits of block/qcow2.h).
  const l2Coverage = BigInt(clusterSize) * BigInt(clusterSize / (extendedL2 ? 16 : 8));
  if (BigInt(l1Size) < (size + l2Coverage - 1n) / l2Coverage) refuse('invalid_header', 'the L1 table is too small for the virtual size');
  if (l1Size * 8 > QCOW_MAX_L1_BYTES) refuse('invalid_header', `the L1 table is larger than ${QCOW_MAX_L1_BYTES} bytes`);
  const aligned = (offset: number, what: string) => {
    if (offset % clusterSize !== 0 || offset < clusterSize) refuse('invalid_header', `the ${what} offset ${offset} is not a cluster boundary after the header`);
  };
  if (l1Size > 0) aligned(l1Offset, 'L1 table');
  if (rtClusters === 0) refuse('invalid_header', 'the image has no refcount table');
  if (rtClusters * clusterSize > QCOW_MAX_REFTABLE_BYTES) refuse('invalid_header', 'the refcount table is larger than qemu allows');
  aligned(rtOffset, 'refcount table');
  if (nbSnapshots > QCOW_MAX_SNAPSHOTS) refuse('invalid_header', `${nbSnapshots} snapshots is more than qemu allows`);
  if (nbSnapshots > 0) aligned(snapshotsOffset, 'snapshot table');
  const bitmaps = autoclear & BITMAPS_CONSISTENT ? ext.bitmaps : undefined;
  if (bitmaps) aligned(bitmaps.offset, 'bitmap directory');

  const [snapshots, l2End, refs] = yield* all<[SnapshotSummary, number, RefcountSummary]>([
    snapshotTable(snapshotsOffset, nbSnapshots, clusterSize, ctx.maxVirtualSize),
    l1Table(l1Offset, l1Size, clusterSize),
    refcounts(rtOffset, rtClusters * clusterSize, clusterSize, refcountOrder, (incompatible & DIRTY) === 0n),
  ]);

  const fsize = yield* fileSize();
  within(fsize, l1Offset, l1Size * 8, 'L1 table');
  within(fsize, rtOffset, rtClusters * clusterSize, 'refcount table');
  if (nbSnapshots > 0) within(fsize, snapshotsOffset, snapshots.tableEnd - snapshotsOffset, 'snapshot table');
  within(fsize, 0, snapshots.l1End, 'snapshot L1 tables');
  within(fsize, 0, l2End, 'L2 tables');
  within(fsize, 0, refs.blockEnd, 'refcount blocks');
  if (refs.maxUsedCluster >= 0 && refs.maxUsedCluster * clusterSize >= fsize) {
    refuse('truncated', `the refcounts say host cluster ${refs.maxUsedCluster} is in use, but the file ends at ${fsize} bytes`);
  }
  if (bitmaps) within(fsize, bitmaps.offset, bitmaps.size, 'bitmap directory');
  if (ext.crypto) within(fsize, ext.crypto.offset, ext.crypto.length, 'encryption header');

  return {
    virtualSize: Number(size),
    details: {
      version,
      clusterSize,
      compressionType: compressionType === 1 ? 'zstd' : 'zlib',
      extendedL2,
      snapshots: nbSnapshots,
      refcountBits: 2 ** refcountOrder,
      lazyRefcounts: (compatible & 1n) !== 0n,
      dirty: (incompatible & DIRTY) !== 0n,
      encryption: cryptMethod === 1 ? 'aes' : cryptMethod === 2 ? 'luks' : 'none',
    },
  };
}

export const qcow2Inspector: Inspector = { name: 'qcow2', run: inspectQcow2 };
