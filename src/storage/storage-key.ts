/**
 * Key checks shared by every driver. A key is checked where it enters a driver, so no key can
 * name anything outside the store: KEY_PATTERN admits no empty, `.` or `..` segment, no leading
 * slash and no backslash, which is what makes joining it under a root directory safe.
 */
import { BadRequestError } from '../domain/errors.js';
import { KEY_PATTERN } from './driver.js';

/** Longer keys are refused: S3 caps keys at 1024 bytes, and file systems cap path lengths. */
export const MAX_KEY_LENGTH = 1024;

export function checkKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new BadRequestError(`Invalid storage key: ${JSON.stringify(key.slice(0, 100))}`, { reason: 'storage.key' });
  }
}

/** A list prefix is empty, a key, or a key and a slash (`images/`); `images/ab` is a key. */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
