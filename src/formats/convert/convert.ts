/**
 * Conversion service entry points: any supported input format to any output format, as a
 * stream with bounded memory (a few MiB of buffers plus tables proportional to virtual size /
 * block size).
 *
 * Inputs: a RandomAccessSource (file, ranged object read) works for every format; a stream
 * works for raw (size declared), streamOptimized VMDK, and qcow2 whose clusters are in virtual
 * order (what qemu-img convert writes).
 *
 * Outputs, and whether they need a seekable input:
 *   raw            streams from anything; length known
 *   vmdk           streamOptimized; streams from anything; length unknown (compressed)
 *   vhd fixed      streams from anything; length known
 *   vhd dynamic    needs a seekable input (BAT before data: a planning pass); length known
 *   qcow2          needs a seekable input (L1/L2/refcounts before data); length known
 *   vhdx           needs a seekable input (BAT before data); length known
 * Asking for a layout-first output from a stream fails with `convert.seekable_input_required`.
 */
import { Readable } from 'node:stream';
import { BadRequestError } from '../../domain/errors.js';
import { isSeekable, type DiskStream, type SeekableDisk } from '../read/disk.js';
import type { EncodedImage } from '../write/encoded-image.js';
import { writeQcow2 } from '../write/qcow2.writer.js';
import { writeRaw } from '../write/raw.writer.js';
import { writeVhdDynamic } from '../write/vhd-dynamic.writer.js';
import { writeVhdFixed } from '../write/vhd-fixed.writer.js';
import { writeVhdx } from '../write/vhdx.writer.js';
import { writeVmdkStream, type VmdkStreamOptions } from '../write/vmdk-stream.writer.js';
import { isStreamInput, openDisk, type ConvertInput, type InputFormat, type OutputFormat } from './disk-format.js';

export interface ConvertOptions {
  /** vhd output: 'dynamic' (default, sparse) or 'fixed' (what Azure requires). */
  readonly vhdSubformat?: 'dynamic' | 'fixed';
  /** vhd output: round the virtual size up to a whole MiB (Azure). */
  readonly alignTo1MiB?: boolean;
  /** vmdk output: descriptor details. */
  readonly vmdk?: VmdkStreamOptions;
}

export interface ConvertRequest {
  readonly input: ConvertInput;
  readonly inputFormat: InputFormat;
  readonly outputFormat: OutputFormat;
  readonly options?: ConvertOptions;
}

export interface ConvertResult {
  readonly stream: Readable;
  /** Output size in bytes when known before writing (raw, VHD, qcow2, VHDX). */
  readonly length: number | undefined;
}

export async function convert(request: ConvertRequest): Promise<ConvertResult> {
  const { input } = request;
  let image: EncodedImage;
  try {
    image = await encode(await openDisk(input, request.inputFormat), request.outputFormat, request.options);
  } catch (error) {
    if (isStreamInput(input)) input.stream.destroy();
    throw error;
  }
  return { stream: Readable.from(image.chunks, { objectMode: false }), length: image.length };
}

export async function encode(disk: DiskStream, format: OutputFormat, options: ConvertOptions = {}): Promise<EncodedImage> {
  switch (format) {
    case 'raw':
      return writeRaw(disk);
    case 'qcow2':
      return writeQcow2(needSeekable(disk, format));
    case 'vmdk':
      return writeVmdkStream(disk, options.vmdk);
    case 'vhd':
      return options.vhdSubformat === 'fixed'
        ? writeVhdFixed(disk, options)
        : writeVhdDynamic(needSeekable(disk, format), options);
    case 'vhdx':
      return writeVhdx(needSeekable(disk, format));
  }
}

function needSeekable(disk: DiskStream, format: OutputFormat): SeekableDisk {
  if (isSeekable(disk)) return disk;
  throw new BadRequestError(`${format} output lays out its tables before the data and needs a seekable input`, {
    reason: 'convert.seekable_input_required',
  });
}
