/** Turns an ImageListQuery into the query string of GET /v2/images. */
import type { ImageListQuery } from './image-types.js';

export function encodeListQuery(query: ImageListQuery = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    // Repeated parameters, not a comma list: Glance ANDs repeated `tag` filters.
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A name filter is an equality match unless it starts with `in:`; such a name is sent as a
 * one-item quoted `in:` list so it still matches exactly.
 */
export function exactNameFilter(name: string): string {
  return name.startsWith('in:') ? `in:"${name.replace(/["\\]/g, '\\$&')}"` : name;
}
