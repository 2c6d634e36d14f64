/**
 * Commands take an image by id or by name, as `openstack image …` does: an id is looked up
 * directly, anything else (or an id-shaped name) by an exact name filter, which must match
 * exactly one image.
 */
import { ApiError } from '../client/api-error.js';
import type { ImageClient } from '../client/image-client.js';
import type { ImageListQuery, ImageRecord } from '../client/image-types.js';
import { exactNameFilter } from '../client/list-query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `query` widens the name search, e.g. `{ member_status: 'all' }` to find images not yet accepted. */
export async function resolveImage(client: ImageClient, ref: string, query: ImageListQuery = {}): Promise<ImageRecord> {
  if (UUID.test(ref)) {
    try {
      return await client.getImage(ref);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  const matches: ImageRecord[] = [];
  for await (const image of client.allImages({ ...query, name: exactNameFilter(ref) })) matches.push(image);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new Error(`no image found with id or name '${ref}'`);
  throw new Error(`${matches.length} images are named '${ref}'; use an id: ${matches.map((image) => image.id).join(', ')}`);
}
