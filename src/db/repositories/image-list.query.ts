/**
 * Builds the WHERE and ORDER BY of an image list: Glance's visibility rules for the viewer,
 * attribute filters, tags (AND), custom properties, and keyset pagination after a marker.
 *
 * Nullable sort columns are compared through COALESCE with a value below every real one, so
 * NULLs sort first ascending on both dialects and the marker comparison agrees with ORDER BY.
 */
import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { Image } from '../../domain/image.js';
import type { AttributeFilter, ImageListQuery, SortKey, SortSpec } from '../../domain/image-query.js';
import type { Database } from '../schema.js';

type EB = ExpressionBuilder<Database, 'images'>;

const NULLABLE_TEXT: ReadonlySet<SortKey> = new Set(['name', 'container_format', 'disk_format', 'owner']);
const NULLABLE_NUMBER: ReadonlySet<SortKey> = new Set(['size', 'virtual_size']);

/** The SQL expression a sort key orders by. */
export function sortExpression(key: SortKey): Expression<unknown> {
  if (NULLABLE_TEXT.has(key)) return sql`coalesce(${sql.ref(`images.${key}`)}, '')`;
  if (NULLABLE_NUMBER.has(key)) return sql`coalesce(${sql.ref(`images.${key}`)}, -1)`;
  return sql.ref(`images.${key}`);
}

/** The marker's value for a sort key, encoded like the column (and its COALESCE). */
function markerValue(marker: Image, key: SortKey): string | number {
  switch (key) {
    case 'name': return marker.name ?? '';
    case 'status': return marker.status;
    case 'container_format': return marker.containerFormat ?? '';
    case 'disk_format': return marker.diskFormat ?? '';
    case 'owner': return marker.owner ?? '';
    case 'visibility': return marker.visibility;
    case 'size': return marker.size ?? -1;
    case 'virtual_size': return marker.virtualSize ?? -1;
    case 'min_disk': return marker.minDisk;
    case 'min_ram': return marker.minRam;
    case 'id': return marker.id;
    case 'created_at': return marker.createdAt.getTime();
    case 'updated_at': return marker.updatedAt.getTime();
  }
}

/** The sort with id appended as the final tie-breaker, so every row has one position. */
export function effectiveSort(sort: SortSpec[]): SortSpec[] {
  const keys = sort.length > 0 ? sort : [{ key: 'created_at', dir: 'desc' } as SortSpec];
  if (keys.some((s) => s.key === 'id')) return keys;
  return [...keys, { key: 'id', dir: keys[keys.length - 1]!.dir }];
}

/** Rows strictly after the marker: (k1 > m1) or (k1 = m1 and k2 > m2) or … */
function afterMarker(eb: EB, sort: SortSpec[], marker: Image): Expression<SqlBool> {
  const branches = sort.map((spec, i) => {
    const equalities = sort.slice(0, i).map((prev) => eb(sortExpression(prev.key), '=', markerValue(marker, prev.key)));
    const beyond = eb(sortExpression(spec.key), spec.dir === 'asc' ? '>' : '<', markerValue(marker, spec.key));
    return eb.and([...equalities, beyond]);
  });
  return eb.or(branches);
}

function memberOf(eb: EB, projectId: string, memberStatus: ImageListQuery['memberStatus']): Expression<SqlBool> {
  let members = eb.selectFrom('image_members').select(sql.lit(1).as('one'))
    .whereRef('image_members.image_id', '=', 'images.id')
    .where('image_members.member', '=', projectId);
  const status = memberStatus ?? 'accepted';
  if (status !== 'all') members = members.where('image_members.status', '=', status);
  return eb.and([eb('images.visibility', '=', 'shared'), eb.exists(members)]);
}

/** Which images the viewer may see in a list, by Glance's rules (see ImageListQuery). */
function visibleTo(eb: EB, query: ImageListQuery): Expression<SqlBool> | undefined {
  const { viewer, visibility } = query;
  const project = viewer.projectId;
  if (viewer.isAdmin) {
    if (visibility === 'all') return undefined;
    if (visibility !== undefined) return eb('images.visibility', '=', visibility);
    return project === null ? eb('images.visibility', '!=', 'community')
      : eb.or([eb('images.visibility', '!=', 'community'), eb('images.owner', '=', project)]);
  }
  const owned = project === null ? undefined : eb('images.owner', '=', project);
  const shared = project === null ? undefined : memberOf(eb, project, query.memberStatus);
  const anyOf = (...parts: Array<Expression<SqlBool> | undefined>): Expression<SqlBool> => {
    const present = parts.filter((p): p is Expression<SqlBool> => p !== undefined);
    return present.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(present);
  };
  switch (visibility) {
    case undefined: return anyOf(eb('images.visibility', '=', 'public'), owned, shared);
    case 'all': return anyOf(eb('images.visibility', 'in', ['public', 'community']), owned, shared);
    case 'public':
    case 'community': return eb('images.visibility', '=', visibility);
    case 'private': return owned ? eb.and([eb('images.visibility', '=', 'private'), owned]) : sql<SqlBool>`1 = 0`;
    case 'shared': return owned && shared ? eb.and([eb('images.visibility', '=', 'shared'), eb.or([owned, shared])]) : sql<SqlBool>`1 = 0`;
  }
}

const OPS = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function attribute(eb: EB, filter: AttributeFilter): Expression<SqlBool> {
  const column = sql.ref(`images.${filter.field}`);
  switch (filter.field) {
    case 'protected':
    case 'os_hidden':
      return eb(column, '=', filter.value ? 1 : 0);
    case 'created_at':
    case 'updated_at':
      return eb(column, OPS[filter.op], filter.value.getTime());
    case 'size':
      return eb(column, OPS[filter.op], filter.value);
    default:
      return filter.op === 'in' ? eb(column, 'in', filter.values) : eb(column, '=', filter.value);
  }
}

export function listConditions(eb: EB, query: ImageListQuery): Expression<SqlBool> {
  const conditions: Array<Expression<SqlBool>> = [eb('images.deleted_at', 'is', null)];
  const visible = visibleTo(eb, query);
  if (visible) conditions.push(visible);
  for (const filter of query.filters) conditions.push(attribute(eb, filter));
  for (const tag of query.tags) {
    conditions.push(eb.exists(eb.selectFrom('image_tags').select(sql.lit(1).as('one'))
      .whereRef('image_tags.image_id', '=', 'images.id').where('image_tags.value', '=', tag)));
  }
  for (const [name, value] of Object.entries(query.properties)) {
    conditions.push(eb.exists(eb.selectFrom('image_properties').select(sql.lit(1).as('one'))
      .whereRef('image_properties.image_id', '=', 'images.id')
      .where('image_properties.name', '=', name).where('image_properties.value', '=', value)));
  }
  if (query.marker) conditions.push(afterMarker(eb, effectiveSort(query.sort), query.marker));
  return eb.and(conditions);
}
