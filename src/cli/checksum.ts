/** MD5 verification of downloads against the server's Content-MD5 (or the image's checksum). */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Glance sends Content-MD5 as hex; RFC 1864 says base64. Accept both, answer hex. */
export function normalizeMd5(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^[0-9a-f]{32}$/i.test(text)) return text.toLowerCase();
  if (/^[A-Za-z0-9+/]{22}==$/.test(text)) return Buffer.from(text, 'base64').toString('hex');
  return undefined;
}

/** Hashes and counts bytes on their way through, without holding them. */
export class Md5Tap extends Transform {
  bytes = 0;
  private readonly hash = createHash('md5');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
