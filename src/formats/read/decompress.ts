/**
 * Bounded decompression of one cluster or grain. Output is capped at the unit size, so a
 * crafted stream cannot expand beyond what the layout allows (a compression bomb stops at
 * one cluster). zlib uses the synchronous one-shot calls: a unit is only 64 KiB, and setting up
 * an asynchronous zlib stream for it costs about three times as much as the inflation itself.
 * zstd uses fzstd (pure JS) because Node 20's zlib has no zstd.
 */
import { constants, inflateRawSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { InvalidImageDataError } from '../../domain/errors.js';

/**
 * zlib output buffer for one unit: one byte more than the unit, so a unit inflates into a single
 * buffer with room left to see the end of the stream (the default 16 KiB chunks are joined with
 * a copy, which doubles the cost for incompressible data).
 */
const chunkFor = (unit: number) => ({ chunkSize: unit + 1, maxOutputLength: unit });

/**
 * qcow2 zlib clusters are raw deflate (no zlib header, qemu uses a 4 KiB window) and must fill
 * the cluster exactly; the stored length is rounded up to sectors, so trailing bytes are ignored.
 */
export function inflateQcow2Cluster(data: Buffer, clusterSize: number): Buffer {
  let out: Buffer;
  try {
    out = inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, ...chunkFor(clusterSize) });
  } catch (cause) {
    throw new InvalidImageDataError('qcow2: a compressed cluster does not decompress', { reason: 'format.qcow2.compressed', cause });
  }
  if (out.length !== clusterSize) {
    throw new InvalidImageDataError(`qcow2: a compressed cluster decompresses to ${out.length} bytes, not ${clusterSize}`, { reason: 'format.qcow2.compressed' });
  }
  return out;
}

/**
 * qcow2 zstd clusters hold one zstd frame followed by whatever shares the sectors, so the frame
 * is delimited first (fzstd would otherwise try to decode the neighbour as a second frame).
 */
export function unzstdQcow2Cluster(data: Buffer, clusterSize: number): Buffer {
  const fail = (cause?: unknown): never => {
    throw new InvalidImageDataError('qcow2: a zstd-compressed cluster does not decompress', { reason: 'format.qcow2.compressed', cause });
  };
  const frameLength = zstdFrameLength(data) ?? fail();
  const out = Buffer.allocUnsafe(clusterSize);
  let result: Uint8Array;
  try {
    result = zstdDecompress(data.subarray(0, frameLength), out);
  } catch (cause) {
    return fail(cause);
  }
  if (result.length !== clusterSize) fail();
  return out;
}

/**
 * Length of the zstd frame at the start of `data` (RFC 8878 §3.1.1), or undefined if it is
 * malformed or runs past the end. Walks block headers only; nothing is decoded.
 */
export function zstdFrameLength(data: Buffer): number | undefined {
  if (data.length < 6 || data.readUInt32LE(0) !== 0xfd2fb528) return undefined;
  const descriptor = data[4]!;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]!;
  let pos = 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  for (;;) {
    if (pos + 3 > data.length) return undefined;
    const header = data.readUIntLE(pos, 3);
    const last = (header & 1) !== 0;
    const type = (header >> 1) & 3;
    const size = header >> 3;
    if (type === 3) return undefined;
    pos += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  if (hasChecksum) pos += 4;
  return pos <= data.length ? pos : undefined;
}

/** VMDK compressed grains are zlib streams (RFC 1950); the last grain of a disk may be short. */
export function inflateVmdkGrain(data: Buffer, grainSize: number): Buffer {
  try {
    return inflateSync(data, chunkFor(grainSize));
  } catch (cause) {
    throw new InvalidImageDataError('vmdk: a compressed grain does not decompress', { reason: 'format.vmdk.compressed', cause });
  }
}
