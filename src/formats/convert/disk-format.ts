/**
 * Which formats convert can read and write, and how a source of each kind is opened.
 * Streams can be read for raw, streamOptimized VMDK and qcow2 written in virtual order;
 * everything else needs a seekable (random-access) source.
 */
import type { Readable } from 'node:stream';
import { BadRequestError } from '../../domain/errors.js';
import type { DiskStream } from '../read/disk.js';
import { qcow2Disk, qcow2Stream } from '../read/qcow2.reader.js';
import { rawDisk, rawStream } from '../read/raw.reader.js';
import type { RandomAccessSource } from '../read/source.js';
import { vdiDisk } from '../read/vdi.reader.js';
import { vhdDisk } from '../read/vhd.reader.js';
import { vhdxDisk } from '../read/vhdx.reader.js';
import { vmdkDisk } from '../read/vmdk-sparse.reader.js';
import { vmdkStream } from '../read/vmdk-stream.reader.js';

export const INPUT_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi'] as const;
export const OUTPUT_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A stream source; raw needs its size declared because nothing in the bytes says it. */
export interface StreamInput {
  readonly stream: Readable;
  readonly size?: number;
}

export type ConvertInput = RandomAccessSource | StreamInput;

export function isStreamInput(input: ConvertInput): input is StreamInput {
  return (input as Partial<StreamInput>).stream !== undefined;
}

export async function openDisk(input: ConvertInput, format: InputFormat): Promise<DiskStream> {
  if (!isStreamInput(input)) {
    switch (format) {
      case 'raw':
        return rawDisk(input);
      case 'qcow2':
        return qcow2Disk(input);
      case 'vmdk':
        return vmdkDisk(input);
      case 'vhd':
        return vhdDisk(input);
      case 'vhdx':
        return vhdxDisk(input);
      case 'vdi':
        return vdiDisk(input);
    }
  }
  switch (format) {
    case 'raw':
      if (input.size === undefined) throw new BadRequestError('a streamed raw image needs its size', { reason: 'convert.raw_size_required' });
      return rawStream(input.stream, input.size);
    case 'qcow2':
      return qcow2Stream(input.stream);
    case 'vmdk':
      return vmdkStream(input.stream);
    default:
      throw new BadRequestError(`${format} cannot be read from a stream; give a seekable source`, { reason: 'convert.seekable_input_required' });
  }
}
