/**
 * What is left of `buffers` after the first `written` bytes went out: the rest of a short
 * `writev`, as views (nothing copied). Shared by the writers that gather buffers into one call.
 */
export function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let i = 0;
  let skip = written;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (skip > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
