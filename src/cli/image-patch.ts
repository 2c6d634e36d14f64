/**
 * Turns `imago image update` flags into JSON-patch operations against the image as it is
 * now: Glance refuses `replace` on a property that does not exist and `add` is the only way
 * to create one, so the current record decides which to send.
 */
import type { ImageRecord, PatchOperation, Visibility } from '../client/image-types.js';
import { UsageError } from './args.js';

export interface ImageChanges {
  name?: string;
  visibility?: Visibility;
  protected?: boolean;
  minDisk?: number;
  minRam?: number;
  setProperties?: Record<string, string>;
  removeProperties?: string[];
}

/** RFC 6901: `~` and `/` inside a key are escaped in a JSON pointer. */
export function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function buildImagePatch(current: ImageRecord, changes: ImageChanges): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const set = (key: string, value: unknown): void => {
    ops.push({ op: key in current ? 'replace' : 'add', path: pointer(key), value });
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.visibility !== undefined) set('visibility', changes.visibility);
  if (changes.protected !== undefined) set('protected', changes.protected);
  if (changes.minDisk !== undefined) set('min_disk', changes.minDisk);
  if (changes.minRam !== undefined) set('min_ram', changes.minRam);
  for (const [key, value] of Object.entries(changes.setProperties ?? {})) set(key, value);
  for (const key of changes.removeProperties ?? []) {
    if (!(key in current)) throw new Error(`image ${current.id} has no property '${key}'`);
    if (changes.setProperties && key in changes.setProperties) throw new UsageError(`property '${key}' is both set and removed`);
    ops.push({ op: 'remove', path: pointer(key) });
  }
  return ops;
}
