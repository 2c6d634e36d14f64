/**
 * How the filesystem store reports failures: every error leaving it is typed and keeps the
 * system error as its cause. A full disk or exhausted quota gets its own reason, because the
 * upload path answers it differently (413, like Glance) from other I/O failures (503).
 */
import { ImagoError, StorageUnavailableError } from '../domain/errors.js';

export function toStorageError(err: unknown, action: string): ImagoError {
  if (err instanceof ImagoError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageUnavailableError('The local store is full.', { cause: err, reason: 'storage.full' });
  }
  return new StorageUnavailableError(`The local store could not ${action}.`, { cause: err, reason: 'storage.io' });
}

/** The object is simply not there (or the path names a directory, which is no object either). */
export function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
