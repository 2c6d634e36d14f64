/** Single byte ranges on image downloads: the Range request header and the Content-Range answer. */

/** `start`..`end` inclusive (`end` omitted: to the end of the image), or the last `suffix` bytes. */
export type ByteRangeRequest = { start: number; end?: number } | { suffix: number };

/** What a 206 says it holds: inclusive offsets and the size of the whole image. */
export interface ContentRange {
  start: number;
  end: number;
  size: number;
}

export function formatRange(range: ByteRangeRequest): string {
  if ('suffix' in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ''}`;
}

export function parseContentRange(header: string | null): ContentRange | undefined {
  const match = header === null ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}
