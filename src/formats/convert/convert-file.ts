/**
 * File-to-file conversion for the CLI (`imago image convert`). Output is written with batched
 * positional writes; raw output leaves zero runs as holes (a sparse file), as qemu-img does.
 * qcow2 and dynamic VHD are written in one pass over the input, their tables patched in at the
 * end (a stream needs a planning pass first). Input is read into pooled buffers that the writer
 * hands back once written (piece-writer.ts). A failed conversion removes its partial output.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { BufferPool } from '../read/buffer-pool.js';
import type { DiskStream } from '../read/disk.js';
import { openFileSource } from '../read/source.js';
import type { EncodedImage, PatchedImage } from '../write/encoded-image.js';
import { writeQcow2File } from '../write/qcow2.writer.js';
import { writeVhdDynamicFile } from '../write/vhd-dynamic.writer.js';
import { PieceWriter } from './piece-writer.js';
import { encode, type ConvertOptions } from './convert.js';
import { openDisk, type InputFormat, type OutputFormat } from './disk-format.js';
import { withProgress, type ProgressListener } from './progress.js';

export interface ConvertFileOptions extends ConvertOptions {
  readonly onProgress?: ProgressListener;
}

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
    const out = new PieceWriter(output, pool);
    if (outFormat === 'raw') {
      for await (const extent of disk.extents()) {
        if (extent.kind === 'data') out.write(extent.data);
        else out.skip(extent.length);
      }
    } else {
      const image = await fileImage(disk, outFormat, options);
      for await (const chunk of image.chunks) out.write(chunk);
      if ('patches' in image) for (const { offset, data } of image.patches()) out.patch(offset, data);
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
