/**
 * Moving image data between local files and the server, with a progress bar on stderr.
 * Downloads are verified before they are kept: a file is written under a temporary name and
 * only renamed into place once its length and MD5 check out, so a failed or corrupted
 * download never sits under the name the user asked for.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageRecord } from '../client/image-types.js';
import { Md5Tap, normalizeMd5 } from './checksum.js';
import type { CommandContext } from './command.js';

/** Large reads keep the upload saturated without holding more than a few MiB. */
const READ_CHUNK = 1024 * 1024;

/**
 * The size of a regular file, or undefined for a pipe or device (`<(xz -dc disk.xz)`), which
 * is then streamed without a declared size.
 */
export async function sourceSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new Error(`${path} is a directory`);
    return info.isFile() ? info.size : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === undefined ? err : new Error(`cannot read ${path}: ${(err as Error).message.replace(/^\w+: /, '').replace(/, stat .*$/, '')}`);
  }
}

export async function uploadFile(context: CommandContext, imageId: string, path: string, size: number | undefined): Promise<void> {
  const source = createReadStream(path, { highWaterMark: READ_CHUNK });
  const bar = context.progress(`upload ${basename(path)}`);
  try {
    await context.client().uploadImageData(imageId, source, { size, onProgress: bar.update });
    bar.finish();
  } catch (err) {
    bar.abandon();
    throw err;
  } finally {
    source.destroy();
  }
}

interface DownloadTarget {
  stream: Writable;
  /** Stdout is not ours to end: other output may follow, and Node keeps it open anyway. */
  end: boolean;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export async function downloadImage(context: CommandContext, image: ImageRecord, output: string | undefined, format: string | undefined): Promise<void> {
  const target = output === undefined ? stdoutTarget(context.io.stdout) : await fileTarget(output);
  const bar = context.progress(`download ${output === undefined ? image.name ?? image.id : basename(output)}`);
  try {
    const download = await context.client().downloadImageData(image.id, { format, onProgress: bar.update });
    if (download.status === 204) {
      download.stream.destroy();
      throw new Error(`image ${image.id} has no data (status ${image.status})`);
    }
    // The checksum is of the stored bytes: it says nothing about a converted download.
    const expected = format === undefined && download.status === 200 ? normalizeMd5(download.contentMd5) ?? image.checksum ?? undefined : undefined;
    const tap = new Md5Tap();
    await pipeline(download.stream, tap, target.stream, { end: target.end });
    if (download.contentLength !== undefined && tap.bytes !== download.contentLength) {
      throw new Error(`download of image ${image.id} ended after ${tap.bytes} of ${download.contentLength} bytes`);
    }
    if (expected !== undefined) {
      const actual = tap.digest();
      if (actual !== expected) {
        const where = output === undefined ? 'the data written to stdout is corrupt' : `${output} was not written`;
        throw new Error(`checksum mismatch for image ${image.id}: received MD5 ${actual}, expected ${expected}; ${where}`);
      }
    }
    await target.commit();
    bar.finish();
  } catch (err) {
    bar.abandon();
    await target.discard();
    throw err;
  }
}

function stdoutTarget(stdout: Writable): DownloadTarget {
  const nothing = async (): Promise<void> => undefined;
  return { stream: stdout, end: false, commit: nothing, discard: nothing };
}

async function fileTarget(path: string): Promise<DownloadTarget> {
  const existing = await stat(path).catch(() => undefined);
  // A device or pipe (-o /dev/null, a FIFO) cannot be renamed onto: write to it directly.
  const direct = existing !== undefined && !existing.isFile();
  const writePath = direct ? path : join(dirname(path), `.${basename(path)}.${process.pid}.part`);
  const stream = createWriteStream(writePath, { flags: direct ? 'w' : 'wx' });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw new Error(`cannot write ${path}: ${(err as Error).message.replace(/^\w+: /, '').replace(/, open .*$/, '')}`);
  }
  return {
    stream,
    end: true,
    commit: () => (direct ? Promise.resolve() : rename(writePath, path)),
    discard: async () => {
      stream.destroy();
      if (!direct) await rm(writePath, { force: true });
    },
  };
}
