/**
 * File-to-file conversion for the CLI (`imago image convert`). Output is written with batched
 * positional writes; raw output leaves zero runs as holes (a sparse file), as qemu-img does.
 * qcow2 and dynamic VHD are written in one pass over the input, their tables patched in at the
 * end (a stream needs a planning pass first). Input is read into pooled buffers that the writer
 * hands back once written. A failed conversion removes its partial output.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { BufferPool } from '../read/buffer-pool.js';
import type { DiskStream } from '../read/disk.js';
import { openFileSource } from '../read/source.js';
import type { EncodedImage, PatchedImage } from '../write/encoded-image.js';
import { writeQcow2File } from '../write/qcow2.writer.js';
import { writeVhdDynamicFile } from '../write/vhd-dynamic.writer.js';
import { encode, type ConvertOptions } from './convert.js';
import { openDisk, type InputFormat, type OutputFormat } from './disk-format.js';
import { withProgress, type ProgressListener } from './progress.js';

export interface ConvertFileOptions extends ConvertOptions {
  readonly onProgress?: ProgressListener;
}

/** Bytes gathered before one writev call. */
const WRITE_BATCH = 8 * 1024 * 1024;

export async function convertFile(
  inPath: string,
  inFormat: InputFormat,
  outPath: string,
  outFormat: OutputFormat,
  options: ConvertFileOptions = {},
): Promise<{ bytesWritten: number }> {
  const pool = new BufferPool();
  const source = await openFileSource(inPath, pool);
  let output: FileHandle | undefined;
  try {
    const opened = await openDisk(source, inFormat);
    const disk = options.onProgress === undefined ? opened : withProgress(opened, options.onProgress);
    output = await open(outPath, 'w');
    const out = new BatchedWriter(output, pool);
    if (outFormat === 'raw') {
      for await (const extent of disk.extents()) {
        if (extent.kind === 'data') await out.write(extent.data);
        else await out.skip(extent.length);
      }
    } else {
      const image = await fileImage(disk, outFormat, options);
      for await (const chunk of image.chunks) await out.write(chunk);
      if ('patches' in image) for (const { offset, data } of image.patches()) await out.patch(offset, data);
    }
    // No fdatasync: like qemu-img convert (cache mode "unsafe" by default), durability is left to
    // the caller, who may be about to upload or checksum the file anyway.
    await out.finish();
    await output.close();
    output = undefined;
    return { bytesWritten: out.position };
  } catch (error) {
    if (output !== undefined) {
      await output.close();
      await rm(outPath, { force: true });
    }
    throw error;
  } finally {
    await source.close();
  }
}

function fileImage(disk: DiskStream, format: OutputFormat, options: ConvertOptions): Promise<EncodedImage> | PatchedImage {
  if (format === 'qcow2') return writeQcow2File(disk);
  if (format === 'vhd' && options.vhdSubformat !== 'fixed') return writeVhdDynamicFile(disk, options);
  return encode(disk, format, options);
}

/**
 * Positional writes gathered into writev batches. One batch is written while the next is being
 * produced, so reading and decoding overlap with the disk write (at most two batches in memory).
 */
class BatchedWriter {
  position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingAt = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private readonly pool: BufferPool,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.pending.length === 0) this.pendingAt = this.position;
    const last = this.pending.at(-1);
    // Cluster-sized views of one read buffer, in order, go out as one iovec (fewer, larger copies).
    if (last !== undefined && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      this.pending[this.pending.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
    } else {
      this.pending.push(chunk);
    }
    this.pendingBytes += chunk.length;
    this.position += chunk.length;
    if (this.pendingBytes >= WRITE_BATCH || this.pending.length >= 512) await this.flush();
  }

  /** Leaves a hole: the file system reads it back as zeros. */
  async skip(length: number): Promise<void> {
    await this.flush();
    this.position += length;
  }

  /** Overwrites bytes written before, once everything queued so far is on the file. */
  async patch(offset: number, data: Buffer): Promise<void> {
    await this.flush();
    await this.inFlight;
    await this.writeAll([data], offset);
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
    // A trailing hole needs the length set explicitly.
    await this.handle.truncate(this.position);
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const at = this.pendingAt;
    this.pending = [];
    this.pendingBytes = 0;
    await this.inFlight;
    this.inFlight = this.writeAll(buffers, at);
    // Surfaces at the next flush or at finish(); until then it must not count as unhandled.
    this.inFlight.catch(() => undefined);
  }

  private async writeAll(buffers: Buffer[], at: number): Promise<void> {
    let left = buffers;
    while (left.length > 0) {
      const { bytesWritten } = await this.handle.writev(left, at);
      at += bytesWritten;
      left = remaining(left, bytesWritten);
    }
    for (const buffer of buffers) this.pool.written(buffer);
  }
}

/** What writev left unwritten after a short write. */
function remaining(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
