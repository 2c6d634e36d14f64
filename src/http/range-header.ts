/**
 * Reads a Range header. Only a single byte range is served (as Glance does); a header that is
 * not a byte range at all is ignored, per RFC 9110, and the whole image is sent.
 */
import { RangeNotSatisfiableError } from '../domain/errors.js';
import type { RangeRequest } from '../services/image-data.service.js';

export function parseRangeHeader(header: string | undefined): RangeRequest | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return undefined;
  const specs = match[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) {
    throw new RangeNotSatisfiableError('Only a single byte range is supported.', -1, { reason: 'download.multiple_ranges' });
  }
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!spec || (spec[1] === '' && spec[2] === '')) return undefined;
  if (spec[1] === '') return { suffixLength: Number(spec[2]) };
  const first = Number(spec[1]);
  if (spec[2] === '') return { first };
  const last = Number(spec[2]);
  if (last < first) throw new RangeNotSatisfiableError(`Invalid range ${specs[0]}.`, -1, { reason: 'download.range' });
  return { first, last };
}
