/**
 * Random access to a stored object through ranged reads, for work that needs to seek (format
 * conversion reads tables, then the blocks they point to). Works on any driver: on files a
 * range is a positioned read, on object stores a ranged GET.
 */
import type { RandomAccessSource } from '../formats/read/source.js';
import type { StorageDriver } from './driver.js';

export function rangedObjectSource(driver: StorageDriver, key: string, size: number): RandomAccessSource {
  return {
    size,
    async read(offset: number, length: number): Promise<Buffer> {
      const end = Math.min(offset + length, size) - 1;
      if (length <= 0 || end < offset) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      for await (const chunk of await driver.createReadStream(key, { start: offset, end })) chunks.push(chunk as Buffer);
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    },
  };
}
