/**
 * The query of a converting download (an Imago extension to GET /v2/images/{id}/file):
 * `?format=raw|qcow2|vmdk|vhd|vhdx`, and for vhd `&subformat=fixed|dynamic` and
 * `&align=1MiB` (the fixed, MiB-aligned VHD Azure requires).
 */
import { BadRequestError } from '../domain/errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../formats/convert/disk-format.js';
import type { DownloadConversion } from '../services/image-data.service.js';

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, key: string): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) throw new BadRequestError(`Parameter ${key} may be given only once.`, { reason: 'download.repeated' });
  return value;
}

export function parseConversionQuery(query: Query): DownloadConversion | undefined {
  const format = one(query, 'format');
  const subformat = one(query, 'subformat');
  const align = one(query, 'align');
  if (format === undefined) {
    if (subformat !== undefined || align !== undefined) throw new BadRequestError('subformat and align need a format.', { reason: 'download.format' });
    return undefined;
  }
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new BadRequestError(`Cannot convert to ${format}: use one of ${OUTPUT_FORMATS.join(', ')}.`, { reason: 'download.format' });
  }
  if ((subformat !== undefined || align !== undefined) && format !== 'vhd') {
    throw new BadRequestError('subformat and align apply to vhd only.', { reason: 'download.format' });
  }
  if (subformat !== undefined && subformat !== 'fixed' && subformat !== 'dynamic') {
    throw new BadRequestError('subformat must be fixed or dynamic.', { reason: 'download.format' });
  }
  if (align !== undefined && align !== '1MiB') throw new BadRequestError('align must be 1MiB.', { reason: 'download.format' });
  return {
    format: format as OutputFormat,
    options: { ...(subformat ? { vhdSubformat: subformat } : {}), ...(align ? { alignTo1MiB: true } : {}) },
  };
}
