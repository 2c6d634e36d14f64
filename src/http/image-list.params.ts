/**
 * Parses the query string of GET /v2/images (Glance's filter grammar: `in:` lists, comparison
 * operators on timestamps, repeated tags, custom-property equality) into ListImagesParams.
 * Every malformed value is a 400 naming the parameter.
 */
import { BadRequestError } from '../domain/errors.js';
import { DISK_FORMATS, IMAGE_STATUSES, MEMBER_STATUSES, VISIBILITIES, type MemberStatus, type Visibility } from '../domain/image.js';
import { DEPRECATION_STATES, DISK_BUSES, DISK_ROLES, IMAGE_KINDS } from '../domain/catalog.js';
import { CATALOG_FILTER_FIELDS, DISK_FILTER_FIELDS, SORT_KEYS, type AttributeFilter, type CompareOp, type SortDir, type SortKey, type SortSpec } from '../domain/image-query.js';
import type { ListImagesParams } from '../services/image.service.js';

export type QueryValue = string | string[] | undefined;
export type Query = Record<string, QueryValue>;

const COMPARE_OPS: readonly CompareOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const IN_FIELDS = ['name', 'status', 'container_format', 'disk_format', 'id'] as const;
const EQ_FIELDS = ['name', 'status', 'container_format', 'disk_format', 'owner'] as const;
const NOT_FILTERABLE = new Set(['self', 'file', 'schema', 'locations', 'direct_url', 'checksum_algo']);
const HANDLED = new Set([
  'limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'visibility', 'member_status', 'tag', 'protected', 'os_hidden',
  'size', 'virtual_size', 'size_min', 'size_max', 'created_at', 'updated_at', 'min_disk', 'min_ram', 'id', ...EQ_FIELDS,
  ...CATALOG_FILTER_FIELDS, ...DISK_FILTER_FIELDS, 'imago_disk_count',
]);
/** Catalog filters whose values are a closed vocabulary: an unknown value is a 400, not an empty list. */
const CATALOG_VOCABULARY: Partial<Record<string, readonly string[]>> = {
  imago_kind: IMAGE_KINDS, imago_deprecation_state: DEPRECATION_STATES,
  imago_disk_role: DISK_ROLES, imago_disk_bus: DISK_BUSES, imago_disk_format: DISK_FORMATS,
};

const all = (v: QueryValue): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function single(query: Query, key: string): string | undefined {
  const values = all(query[key]);
  if (values.length > 1) throw new BadRequestError(`Parameter ${key} may be given only once.`, { reason: 'list.repeated' });
  return values[0];
}

function integer(key: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new BadRequestError(`${key} param must be a non-negative integer: '${value}'`, { reason: `list.${key}` });
  }
  return Number(value);
}

/** Boolean filters ignore case, as Glance's do: the openstack CLI sends `os_hidden=True`. */
const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

function bool(key: string, value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new BadRequestError(`Invalid value for ${key}: '${value}' (expected true or false).`, { reason: `list.${key}` });
}

/** Splits `in:a,b,"c,d"` values; a double-quoted item may contain commas. */
export function splitInList(raw: string): string[] {
  const items: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < raw.length && (match = pattern.exec(raw)) !== null) {
    if (match[0] === '') break;
    items.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!.trim());
  }
  if (items.length === 0 || items.some((item) => item === '')) {
    throw new BadRequestError(`Invalid in: list '${raw}'.`, { reason: 'list.in' });
  }
  return items;
}

function sortSpecs(query: Query): SortSpec[] {
  const sort = single(query, 'sort');
  const keys = all(query.sort_key);
  const dirs = all(query.sort_dir);
  const checkKey = (key: string): SortKey => {
    if (!(SORT_KEYS as readonly string[]).includes(key)) {
      throw new BadRequestError(`Invalid sort key: ${key}. It must be one of the following: ${SORT_KEYS.join(', ')}.`, { reason: 'list.sort_key' });
    }
    return key as SortKey;
  };
  const checkDir = (dir: string): SortDir => {
    if (dir !== 'asc' && dir !== 'desc') throw new BadRequestError(`Invalid sort direction: ${dir}`, { reason: 'list.sort_dir' });
    return dir;
  };
  if (sort !== undefined) {
    if (keys.length > 0 || dirs.length > 0) {
      throw new BadRequestError('The "sort" parameter cannot be combined with sort_key or sort_dir.', { reason: 'list.sort' });
    }
    return sort.split(',').map((part) => {
      const [key = '', dir = 'desc', ...rest] = part.trim().split(':');
      if (rest.length > 0) throw new BadRequestError(`Invalid sort value: ${part}`, { reason: 'list.sort' });
      return { key: checkKey(key), dir: checkDir(dir) };
    });
  }
  if (keys.length === 0) {
    if (dirs.length > 1) throw new BadRequestError('sort_dir given more often than sort_key.', { reason: 'list.sort_dir' });
    return [{ key: 'created_at', dir: dirs[0] === undefined ? 'desc' : checkDir(dirs[0]) }];
  }
  if (dirs.length > 1 && dirs.length !== keys.length) {
    throw new BadRequestError('The number of sort_dir values must be one or match the number of sort_key values.', { reason: 'list.sort_dir' });
  }
  return keys.map((key, i) => ({ key: checkKey(key), dir: checkDir(dirs[dirs.length > 1 ? i : 0] ?? 'desc') }));
}

/** `gt:2016-04-18T21:38:54Z`; a bare timestamp means eq (timestamps start with a digit). */
function timeFilter(field: 'created_at' | 'updated_at', raw: string): AttributeFilter {
  const prefixed = /^([a-z]+):(.*)$/i.exec(raw);
  if (prefixed && !(COMPARE_OPS as readonly string[]).includes(prefixed[1]!)) {
    throw new BadRequestError(`Invalid operator '${prefixed[1]}' in ${field}: use one of ${COMPARE_OPS.join(', ')}.`, { reason: 'list.operator' });
  }
  const op = prefixed ? (prefixed[1] as CompareOp) : 'eq';
  const text = prefixed ? prefixed[2]! : raw;
  const date = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new BadRequestError(`Invalid time in ${field}=${raw}: expected an ISO 8601 timestamp.`, { reason: 'list.time' });
  }
  return { field, op, value: date };
}

function equalityOrIn(field: string, raw: string): AttributeFilter {
  if (raw.startsWith('in:')) return { field: field as (typeof IN_FIELDS)[number], op: 'in', values: splitInList(raw.slice(3)) };
  return { field: field as (typeof EQ_FIELDS)[number], op: 'eq', value: raw };
}

export function parseListQuery(query: Query): ListImagesParams {
  const filters: AttributeFilter[] = [];
  const limitRaw = single(query, 'limit');
  const visibility = single(query, 'visibility');
  if (visibility !== undefined && visibility !== 'all' && !(VISIBILITIES as readonly string[]).includes(visibility)) {
    throw new BadRequestError(`Invalid visibility value: ${visibility}`, { reason: 'list.visibility' });
  }
  const memberStatus = single(query, 'member_status');
  if (memberStatus !== undefined && memberStatus !== 'all' && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) {
    throw new BadRequestError(`Invalid member_status value: ${memberStatus}`, { reason: 'list.member_status' });
  }
  for (const field of [...EQ_FIELDS, 'id'] as const) {
    const raw = single(query, field);
    if (raw === undefined) continue;
    if (field === 'id' && !raw.startsWith('in:')) throw new BadRequestError('The id filter takes an in: list.', { reason: 'list.id' });
    if (field === 'owner' && raw.startsWith('in:')) throw new BadRequestError('The owner filter does not take an in: list.', { reason: 'list.in' });
    const filter = equalityOrIn(field, raw);
    if (field === 'status') {
      const statuses = filter.op === 'in' ? filter.values : [(filter as { value: string }).value];
      const bad = statuses.find((s) => !(IMAGE_STATUSES as readonly string[]).includes(s));
      if (bad !== undefined) throw new BadRequestError(`Invalid status value: ${bad}`, { reason: 'list.status' });
    }
    filters.push(filter);
  }
  for (const field of [...CATALOG_FILTER_FIELDS, ...DISK_FILTER_FIELDS]) {
    const raw = single(query, field);
    if (raw === undefined) continue;
    // Ids are stored in lower case; so are they compared.
    const text = field === 'imago_base_image_id' ? raw.toLowerCase() : raw;
    const values = text.startsWith('in:') ? splitInList(text.slice(3)) : [text];
    const allowed = CATALOG_VOCABULARY[field];
    const bad = allowed && values.find((v) => !allowed.includes(v));
    if (bad !== undefined) throw new BadRequestError(`Invalid ${field} value: ${bad} (one of ${allowed!.join(', ')}).`, { reason: `list.${field}` });
    filters.push(text.startsWith('in:') ? { field, op: 'in', values } : { field, op: 'eq', value: text });
  }
  const diskCount = single(query, 'imago_disk_count');
  if (diskCount !== undefined) filters.push({ field: 'imago_disk_count', op: 'eq', value: integer('imago_disk_count', diskCount) });
  for (const field of ['protected', 'os_hidden'] as const) {
    const raw = single(query, field);
    if (raw !== undefined) filters.push({ field, op: 'eq', value: bool(field, raw) });
  }
  // Exact matches on numeric columns, as Glance filters by any base attribute.
  for (const field of ['size', 'virtual_size', 'min_disk', 'min_ram'] as const) {
    const raw = single(query, field);
    if (raw !== undefined) filters.push({ field, op: 'eq', value: integer(field, raw) });
  }
  const sizeMin = single(query, 'size_min');
  if (sizeMin !== undefined) filters.push({ field: 'size', op: 'gte', value: integer('size_min', sizeMin) });
  const sizeMax = single(query, 'size_max');
  if (sizeMax !== undefined) filters.push({ field: 'size', op: 'lte', value: integer('size_max', sizeMax) });
  for (const field of ['created_at', 'updated_at'] as const) {
    for (const raw of all(query[field])) filters.push(timeFilter(field, raw));
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (HANDLED.has(key) || value === undefined) continue;
    if (NOT_FILTERABLE.has(key)) throw new BadRequestError(`Field ${key} cannot be used to filter images.`, { reason: 'list.not_filterable' });
    const values = all(value);
    if (values.length > 1) throw new BadRequestError(`Parameter ${key} may be given only once.`, { reason: 'list.repeated' });
    properties[key] = values[0]!;
  }
  const tags = all(query.tag);
  if (tags.some((t) => t === '')) throw new BadRequestError('tag filter values must not be empty.', { reason: 'list.tag' });
  return {
    visibility: visibility as Visibility | 'all' | undefined,
    memberStatus: memberStatus as MemberStatus | 'all' | undefined,
    filters,
    tags,
    properties,
    sort: sortSpecs(query),
    marker: single(query, 'marker'),
    limit: limitRaw === undefined ? undefined : integer('limit', limitRaw),
  };
}
