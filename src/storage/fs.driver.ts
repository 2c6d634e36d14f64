/**
 * The filesystem store: objects under `<root>/objects/<key>`, writes staged under
 * `<root>/staging/` and moved into place only on commit (see fs-blob.writer.ts), so a crash
 * never exposes a partial object and a staged file is only ever garbage for purgeStaging.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError, RangeNotSatisfiableError } from '../domain/errors.js';
import type { YoungGenerationReclaimer } from '../lib/young-gc.js';
import type { BlobStat, BlobWriter, ByteRange, StorageDriver } from './driver.js';
import { FileRangeStream } from './file-range.stream.js';
import { FsBlobWriter } from './fs-blob.writer.js';
import { isAbsent, toStorageError } from './fs-errors.js';
import { StagingFile } from './staging-file.stream.js';
import { checkKey, checkPrefix } from './storage-key.js';

/** One path segment of a key; anything else in the objects tree is not ours to list. */
const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;

export interface FsDriverOptions {
  name: string;
  root: string;
  /** Told of every byte read for a download (see young-gc.ts). */
  reclaimer?: YoungGenerationReclaimer;
}

export class FsDriver implements StorageDriver {
  readonly name: string;
  private readonly objects: string;
  private readonly staging: string;
  private readonly reclaimer: YoungGenerationReclaimer | undefined;

  constructor(options: FsDriverOptions) {
    this.name = options.name;
    this.reclaimer = options.reclaimer;
    const root = resolve(options.root);
    this.objects = join(root, 'objects');
    this.staging = join(root, 'staging');
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    const path = this.path(key);
    try {
      const s = await stat(path);
      return s.isFile() ? { size: s.size, modifiedAt: s.mtime } : undefined;
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw toStorageError(err, 'stat an object');
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const path = this.path(key);
    try {
      return await readFile(path);
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw toStorageError(err, 'read an object');
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    const writer = await this.createWriter(key);
    try {
      await new Promise<void>((done, fail) => writer.stream.end(data, () => (writer.stream.errored ? fail(writer.stream.errored) : done())));
      await writer.commit();
    } catch (err) {
      await writer.abort();
      throw toStorageError(err, 'write an object');
    }
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    const absent = (cause: unknown) => new NotFoundError(`No object ${key} in store ${this.name}`, { cause, reason: 'storage.not_found' });
    const handle = await open(path, 'r').catch((err: unknown) => {
      throw isAbsent(err) ? absent(err) : toStorageError(err, 'open an object');
    });
    try {
      const s = await handle.stat();
      if (!s.isFile()) throw absent(undefined);
      const { start, end } = resolveRange(range, s.size);
      return new FileRangeStream(handle, start, end, this.reclaimer);
    } catch (err) {
      await handle.close();
      throw toStorageError(err, 'open an object');
    }
  }

  async createWriter(key: string): Promise<BlobWriter> {
    const target = this.path(key);
    const stagingPath = join(this.staging, randomUUID());
    try {
      await mkdir(this.staging, { recursive: true });
      const handle = await open(stagingPath, 'wx');
      return new FsBlobWriter(new StagingFile(handle), stagingPath, target);
    } catch (err) {
      throw toStorageError(err, 'stage an object');
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await unlink(path).catch((err: unknown) => {
      if (!isAbsent(err)) throw toStorageError(err, 'delete an object');
    });
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    // Start at the deepest directory the prefix names; the rest of it filters entry names.
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1).replace(/\/$/, '');
    yield* this.walk(dirKey, prefix);
  }

  async purgeStaging(olderThan: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.staging);
    } catch (err) {
      if (isAbsent(err)) return 0;
      throw toStorageError(err, 'list its staging area');
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.staging, name);
      try {
        const s = await lstat(path);
        if (s.mtime >= olderThan) continue;
        await unlink(path);
        removed++;
      } catch (err) {
        // Committed or aborted since the listing: already gone, which is the goal.
        if (!isAbsent(err)) throw toStorageError(err, 'purge its staging area');
      }
    }
    return removed;
  }

  private path(key: string): string {
    checkKey(key);
    return join(this.objects, ...key.split('/'));
  }

  private async *walk(dirKey: string, prefix: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(dirKey === '' ? this.objects : join(this.objects, ...dirKey.split('/')), { withFileTypes: true });
    } catch (err) {
      if (isAbsent(err)) return;
      throw toStorageError(err, 'list objects');
    }
    for (const entry of entries) {
      if (!SEGMENT.test(entry.name)) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        yield key;
      }
    }
  }
}

/** The inclusive range to read; an end past the object is cut short, a start past it is an error. */
function resolveRange(range: ByteRange | undefined, size: number): ByteRange {
  if (range === undefined) return { start: 0, end: size - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new RangeNotSatisfiableError(`Range ${start}-${end} is outside the object (${size} bytes).`, size);
  }
  return { start, end: Math.min(end, size - 1) };
}
