/**
 * The read side of a stored object: a Readable over an open file, from `start` up to and
 * including `end`, that owns the descriptor (closed when the stream ends or is destroyed) and
 * reports failures as typed storage errors. Each read is a new buffer that dies once the
 * client has it, so reads are counted for the reclaimer as uploads are: without it a 1 GiB
 * download left RSS about 30 MB higher than it found it.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { YoungGenerationReclaimer } from '../lib/young-gc.js';
import { toStorageError } from './fs-errors.js';

/** Large enough to keep syscalls off the download path, small enough for many downloads. */
const READ_BYTES = 256 * 1024;

export class FileRangeStream extends Readable {
  private position: number;
  private readonly stop: number;

  constructor(private readonly handle: FileHandle, start: number, end: number, private readonly reclaimer?: YoungGenerationReclaimer) {
    super({ highWaterMark: READ_BYTES });
    this.position = start;
    this.stop = end + 1;
  }

  override _read(): void {
    const length = Math.min(READ_BYTES, this.stop - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    this.handle.read(buffer, 0, length, this.position).then(({ bytesRead }) => {
      if (bytesRead === 0) throw new Error(`the object ended at byte ${this.position}, before the range did`);
      this.position += bytesRead;
      this.reclaimer?.passed(bytesRead);
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
    }).catch((err: unknown) => this.destroy(toStorageError(err, 'read an object')));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.handle.close().then(() => callback(error), () => callback(error));
  }
}
