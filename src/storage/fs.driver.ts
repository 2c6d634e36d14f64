/**
 * The filesystem store: objects under `<root>/objects/<key>`, writes staged under
 * `<root>/staging/` and moved into place only on commit, after an fsync of the file and,
 * after the rename, of its directory, so a crash never exposes a partial object.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, WriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BadRequestError, ImagoError, NotFoundError, StorageUnavailableError } from '../domain/errors.js';
import { KEY_PATTERN, type BlobStat, type BlobWriter, type ByteRange, type StorageDriver } from './driver.js';

const WRITE_BUFFER = 1024 * 1024;

function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.length > 1024) throw new BadRequestError(`Invalid storage key: ${key}`, { reason: 'storage.key' });
}

/** Disk full and quota errors become a typed storage error; everything else keeps its cause. */
function storageError(err: unknown, action: string): Error {
  if (err instanceof ImagoError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageUnavailableError('The local store is full.', { cause: err, reason: 'storage.full' });
  return new StorageUnavailableError(`The local store could not ${action}.`, { cause: err, reason: 'storage.io' });
}

/** A staging file stream whose failures are typed storage errors (disk full → storage.full). */
class StagingWriteStream extends WriteStream {
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    super._destroy(error, (err) => callback(err ? storageError(err, 'write an object') : err));
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

export interface FsDriverOptions {
  name: string;
  root: string;
}

export class FsDriver implements StorageDriver {
  readonly name: string;
  private readonly objects: string;
  private readonly staging: string;

  constructor(options: FsDriverOptions) {
    this.name = options.name;
    this.objects = join(options.root, 'objects');
    this.staging = join(options.root, 'staging');
  }

  private path(key: string): string {
    checkKey(key);
    return join(this.objects, ...key.split('/'));
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    try {
      const s = await stat(this.path(key));
      return { size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storageError(err, 'stat an object');
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storageError(err, 'read an object');
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    const writer = await this.createWriter(key);
    writer.stream.end(data);
    await new Promise<void>((resolve, reject) => {
      writer.stream.once('finish', resolve);
      writer.stream.once('error', reject);
    }).catch(async (err: unknown) => { await writer.abort(); throw storageError(err, 'write an object'); });
    await writer.commit();
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    // Open first so a missing object is a NotFoundError now, not a stream error later.
    const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new NotFoundError(`No object ${key} in store ${this.name}`, { cause: err, reason: 'storage.not_found' });
      throw storageError(err, 'open an object');
    });
    return createReadStream('', { fd: handle, start: range?.start, end: range?.end, highWaterMark: WRITE_BUFFER, autoClose: true });
  }

  async createWriter(key: string): Promise<BlobWriter> {
    const target = this.path(key);
    await mkdir(this.staging, { recursive: true }).catch((err: unknown) => { throw storageError(err, 'create its staging area'); });
    const stagingPath = join(this.staging, randomUUID());
    // WriteStream's constructor is public API but untyped for subclassing in @types/node 20.
    const stream = new (StagingWriteStream as unknown as new (path: string, options: object) => WriteStream)(stagingPath, { flags: 'wx', highWaterMark: WRITE_BUFFER });
    return new FsBlobWriter(stream, stagingPath, target);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true }).catch((err: unknown) => { throw storageError(err, 'delete an object'); });
  }

  async *list(prefix: string): AsyncIterable<string> {
    const walk = async function* (dir: string): AsyncIterable<string> {
      let entries;
      try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(path);
        else yield path;
      }
    };
    for await (const path of walk(this.objects)) {
      const key = relative(this.objects, path).split(sep).join('/');
      if (key.startsWith(prefix)) yield key;
    }
  }

  async purgeStaging(olderThan: Date): Promise<number> {
    let removed = 0;
    let names: string[];
    try { names = await readdir(this.staging); } catch { return 0; }
    for (const name of names) {
      const path = join(this.staging, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtime < olderThan) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }
}

class FsBlobWriter implements BlobWriter {
  private state: 'open' | 'committed' | 'aborted' = 'open';
  private failure: Error | null = null;

  constructor(readonly stream: WriteStream, private readonly stagingPath: string, private readonly target: string) {
    stream.on('error', (err) => { this.failure ??= err; });
  }

  get bytesWritten(): number {
    return this.stream.bytesWritten;
  }

  async commit(): Promise<void> {
    if (this.state !== 'open') throw new Error(`cannot commit a writer that is ${this.state}`);
    if (this.failure) throw storageError(this.failure, 'write an object');
    if (!this.stream.writableFinished) throw new Error('commit() called before the stream finished');
    await this.closed();
    try {
      await fsyncPath(this.stagingPath);
      await mkdir(dirname(this.target), { recursive: true });
      await rename(this.stagingPath, this.target);
      await fsyncPath(dirname(this.target));
    } catch (err) {
      await this.abort();
      throw storageError(err, 'commit an object');
    }
    this.state = 'committed';
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    if (!this.stream.destroyed) this.stream.destroy();
    await this.closed();
    await rm(this.stagingPath, { force: true });
  }

  private closed(): Promise<void> {
    if (this.stream.closed) return Promise.resolve();
    return new Promise((resolve) => this.stream.once('close', () => resolve()));
  }
}
