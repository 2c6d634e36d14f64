/**
 * Query strings of the metadefs list calls: namespaces (visibility, resource_types, paging and
 * sorting) and a namespace's tags (paging and sorting). Malformed values are a 400 naming the
 * parameter, as Glance answers them.
 */
import { BadRequestError } from '../domain/errors.js';
import { METADEF_VISIBILITIES } from '../domain/metadef.js';
import type { ListTagsParams } from '../services/metadef-content.service.js';
import type { ListNamespacesParams } from '../services/metadef.service.js';
import type { NamespaceSortKey, SortDir } from '../services/metadef.ports.js';

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, key: string): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) throw new BadRequestError(`Parameter ${key} may be given only once.`, { reason: 'metadef.query' });
  return value;
}

function oneOf<T extends string>(query: Query, key: string, allowed: readonly T[]): T | undefined {
  const value = single(query, key);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BadRequestError(`Invalid value for ${key}: '${value}' (allowed: ${allowed.join(', ')}).`, { reason: 'metadef.query' });
  }
  return value as T;
}

function limit(query: Query): number | undefined {
  const value = single(query, 'limit');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new BadRequestError(`limit param must be a non-negative integer: '${value}'`, { reason: 'metadef.query' });
  }
  return Number(value);
}

const SORT_DIRS: readonly SortDir[] = ['asc', 'desc'];

export function parseNamespaceListQuery(query: Query): ListNamespacesParams {
  const types = single(query, 'resource_types');
  return {
    visibility: oneOf(query, 'visibility', METADEF_VISIBILITIES),
    resourceTypes: types === undefined ? [] : types.split(',').map((t) => t.trim()).filter((t) => t !== ''),
    sortKey: oneOf<NamespaceSortKey>(query, 'sort_key', ['created_at', 'updated_at', 'namespace']) ?? 'created_at',
    sortDir: oneOf(query, 'sort_dir', SORT_DIRS) ?? 'desc',
    marker: single(query, 'marker'),
    limit: limit(query),
  };
}

export function parseTagListQuery(query: Query): ListTagsParams {
  return {
    sortKey: oneOf<'created_at' | 'name'>(query, 'sort_key', ['created_at', 'name']) ?? 'created_at',
    sortDir: oneOf(query, 'sort_dir', SORT_DIRS) ?? 'desc',
    marker: single(query, 'marker'),
    limit: limit(query),
  };
}

/** X-Openstack-Append on a bulk tag create: add to the namespace's tags instead of replacing them. */
export function appendRequested(header: string | string[] | undefined): boolean {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return value === 'true' || value === '1' || value === 'yes';
}
