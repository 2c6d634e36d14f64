/**
 * A staged write in the filesystem store. The bytes go to a file of their own under the
 * staging directory; commit moves that file into place with a rename, which is atomic, after
 * the file is durable (StagingFile syncs it as it finishes) and then syncs the directories it
 * changed, so after a crash the key holds either the old object or the whole new one.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BlobWriter } from './driver.js';
import { isAbsent, toStorageError } from './fs-errors.js';
import { StagingFile } from './staging-file.stream.js';

export class FsBlobWriter implements BlobWriter {
  private state: 'open' | 'committing' | 'committed' | 'discarded' = 'open';
  private committing: Promise<void> | null = null;

  constructor(readonly stream: StagingFile, private readonly stagingPath: string, private readonly target: string) {
    // A failed write must not also surface as an uncaught 'error' event when the caller only
    // learns of it from commit() (put() does that); the error stays readable on the stream.
    stream.on('error', () => undefined);
  }

  get bytesWritten(): number {
    return this.stream.bytesAccepted;
  }

  commit(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`commit() on a writer that is already ${this.state}`));
    this.state = 'committing';
    this.committing = this.moveIntoPlace().then(
      () => { this.state = 'committed'; },
      async (err: unknown) => {
        await this.discard();
        throw err;
      },
    );
    return this.committing;
  }

  async abort(): Promise<void> {
    if (this.state === 'committing') await this.committing!.catch(() => undefined);
    if (this.state === 'open') await this.discard();
  }

  private async moveIntoPlace(): Promise<void> {
    const { stream } = this;
    if (stream.errored) throw toStorageError(stream.errored, 'write an object');
    if (!stream.writableFinished) throw new Error('commit() before the writer stream finished');
    await closed(stream);
    let renamed = false;
    try {
      await makeDirectories(dirname(this.target));
      await rename(this.stagingPath, this.target);
      renamed = true;
      await syncDirectory(dirname(this.target));
    } catch (err) {
      // Visible but maybe not durable is not committed: take it back rather than report success.
      if (renamed) await unlink(this.target).catch(() => undefined);
      throw toStorageError(err, 'commit an object');
    }
  }

  private async discard(): Promise<void> {
    this.state = 'discarded';
    if (!this.stream.destroyed) this.stream.destroy();
    await closed(this.stream);
    await unlink(this.stagingPath).catch((err: unknown) => {
      if (!isAbsent(err)) throw toStorageError(err, 'remove a staged object');
    });
  }
}

function closed(stream: StagingFile): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

/** Creates `dir` and its missing parents, syncing each parent that gained an entry. */
async function makeDirectories(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let created = dir; created !== dirname(created); created = dirname(created)) {
    await syncDirectory(dirname(created));
    if (created === first) return;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
