/**
 * The SQL of an image list: Glance's visibility rules for the viewer, attribute filters, the
 * image's disks (image_disks), tags (AND), custom properties, the multi-key order and keyset
 * pagination after a marker.
 *
 * NULL is the smallest value of every sort key on both dialects (NULLS FIRST ascending, NULLS
 * LAST descending; SQLite and PostgreSQL disagree by default), and the marker comparison
 * spells out the same rule, so "after the marker" agrees with ORDER BY.
 */
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { Image } from '../../domain/image.js';
import {
  type AttributeFilter, DISK_FILTER_FIELDS, type DiskFilterField, type ImageListQuery, INVISIBLE_STATUSES, type SortKey, type SortSpec,
} from '../../domain/image-query.js';
import type { Dialect } from '../database.js';
import type { Database } from '../schema.js';

type EB = ExpressionBuilder<Database, 'images'>;
type Condition = Expression<SqlBool>;
type SortValue = string | number | null;
/** Filters answered from image_disks; the others test a column of images itself. */
type DiskFilter = Extract<AttributeFilter, { field: DiskFilterField }>;
type ColumnFilter = Exclude<AttributeFilter, DiskFilter | { field: 'imago_disk_count' }>;

const NULLABLE_KEYS: ReadonlySet<SortKey> = new Set(['name', 'container_format', 'disk_format', 'owner', 'size', 'virtual_size']);

const column = (key: SortKey | ColumnFilter['field']) => sql.ref(`images.${key}`);

/** The page's rows, in order; tags and properties are loaded separately. */
export function selectImagePage(db: Kysely<Database>, dialect: Dialect, query: ImageListQuery) {
  const sort = effectiveSort(query.sort);
  let select = db.selectFrom('images').selectAll().where((eb) => listConditions(eb, dialect, query, sort));
  for (const { key, dir } of sort) {
    if (!NULLABLE_KEYS.has(key)) select = select.orderBy(column(key), dir);
    else select = select.orderBy(column(key), (ob) => (dir === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast()));
  }
  return select.limit(query.limit);
}

/**
 * The image families with at least one image the viewer may list (Glance's default list
 * visibility), with how many such versions each has.
 */
export function selectFamilies(db: Kysely<Database>, dialect: Dialect, viewer: ImageListQuery['viewer']) {
  return db.selectFrom('images')
    .select((eb) => ['images.imago_family', eb.fn.countAll<number>().as('versions')])
    .where((eb) => {
      const conditions: Condition[] = [eb('images.status', 'not in', INVISIBLE_STATUSES), eb('images.imago_family', 'is not', null)];
      const visible = visibleTo(eb, { viewer, visibility: 'all', filters: [], tags: [], properties: {}, sort: [], limit: 0 }, ruleColumns(dialect));
      if (visible) conditions.push(visible);
      return eb.and(conditions);
    })
    .groupBy('images.imago_family')
    .orderBy('images.imago_family');
}

/** The requested sort (default created_at desc) with id as the final tie-breaker, so every row has one position. */
function effectiveSort(sort: SortSpec[]): SortSpec[] {
  const keys: SortSpec[] = sort.length > 0 ? sort : [{ key: 'created_at', dir: 'desc' }];
  if (keys.some((s) => s.key === 'id')) return keys;
  return [...keys, { key: 'id', dir: keys[keys.length - 1]!.dir }];
}

function listConditions(eb: EB, dialect: Dialect, query: ImageListQuery, sort: SortSpec[]): Condition {
  const conditions: Condition[] = [eb('images.status', 'not in', INVISIBLE_STATUSES)];
  const visible = visibleTo(eb, query, ruleColumns(dialect));
  if (visible) conditions.push(visible);
  const diskFilters: DiskFilter[] = [];
  for (const filter of query.filters) {
    if (isDiskFilter(filter)) diskFilters.push(filter);
    else if (filter.field === 'imago_disk_count') conditions.push(diskCount(eb, filter.value));
    else conditions.push(attribute(eb, filter));
  }
  if (diskFilters.length > 0) conditions.push(hasDisk(eb, diskFilters));
  for (const tag of query.tags) {
    conditions.push(eb.exists(eb.selectFrom('image_tags').select(sql.lit(1).as('one'))
      .whereRef('image_tags.image_id', '=', 'images.id').where('image_tags.value', '=', tag)));
  }
  for (const [name, value] of Object.entries(query.properties)) {
    // The prefix comparison lets the database use image_properties_name_value_idx.
    conditions.push(eb.exists(eb.selectFrom('image_properties').select(sql.lit(1).as('one'))
      .whereRef('image_properties.image_id', '=', 'images.id')
      .where('image_properties.name', '=', name)
      .where(sql`substr(image_properties.value, 1, 64)`, '=', sql`substr(${value}, 1, 64)`)
      .where('image_properties.value', '=', value)));
  }
  if (query.marker) conditions.push(afterMarker(eb, sort, query.marker));
  return eb.and(conditions);
}

const NOTHING = sql<SqlBool>`1 = 0`;

interface RuleColumns {
  visibility: Expression<string>;
  owner: Expression<string | null>;
}

/**
 * The columns the visibility rules test. Nothing runs ANALYZE on an embedded SQLite catalog,
 * and without statistics SQLite answers "public OR owned OR shared" by merging the owner and
 * visibility indexes and then sorting every visible image, a cost that grows with the catalog.
 * A unary + hides those terms from index selection, so SQLite walks the page order instead
 * and stops after `limit` rows. PostgreSQL keeps statistics and chooses well by itself.
 */
function ruleColumns(dialect: Dialect): RuleColumns {
  const visibility = sql.ref<string>('images.visibility');
  const owner = sql.ref<string | null>('images.owner');
  if (dialect === 'postgres') return { visibility, owner };
  return { visibility: sql<string>`+${visibility}`, owner: sql<string | null>`+${owner}` };
}

/** Which images the viewer may see in a list, by Glance's rules (see ImageListQuery); undefined: all. */
function visibleTo(eb: EB, query: ImageListQuery, columns: RuleColumns): Condition | undefined {
  const { viewer, visibility } = query;
  const project = viewer.projectId;
  if (viewer.isAdmin) {
    if (visibility === 'all') return undefined;
    if (visibility !== undefined) return eb('images.visibility', '=', visibility);
    // Glance hides other projects' community images from the default list, even from admins.
    const notCommunity = eb(columns.visibility, '<>', 'community');
    return project === null ? notCommunity : eb.or([notCommunity, eb(columns.owner, '=', project)]);
  }
  // A single visibility is a plain equality: its index yields the rows already in page order.
  if (visibility === 'public' || visibility === 'community') return eb('images.visibility', '=', visibility);
  const listed = eb(columns.visibility, 'in', visibility === 'all' ? ['public', 'community'] : ['public']);
  if (project === null) return visibility === undefined || visibility === 'all' ? listed : NOTHING;
  const owned = eb(columns.owner, '=', project);
  const member = memberOf(eb, columns, project, query.memberStatus);
  switch (visibility) {
    case undefined:
    case 'all': return eb.or([listed, owned, member]);
    case 'private': return eb.and([eb('images.visibility', '=', 'private'), owned]);
    case 'shared': return eb.and([eb('images.visibility', '=', 'shared'), eb.or([owned, member])]);
  }
}

/** A shared image the project is a member of, with the wanted member status (default accepted). */
function memberOf(eb: EB, columns: RuleColumns, project: string, memberStatus: ImageListQuery['memberStatus']): Condition {
  let members = eb.selectFrom('image_members').select(sql.lit(1).as('one'))
    .whereRef('image_members.image_id', '=', 'images.id')
    .where('image_members.member', '=', project);
  const status = memberStatus ?? 'accepted';
  if (status !== 'all') members = members.where('image_members.status', '=', status);
  return eb.and([eb(columns.visibility, '=', 'shared'), eb.exists(members)]);
}

const isDiskFilter = (filter: AttributeFilter): filter is DiskFilter => (DISK_FILTER_FIELDS as readonly string[]).includes(filter.field);

const DISK_COLUMNS = { imago_disk_role: 'image_disks.role', imago_disk_bus: 'image_disks.bus', imago_disk_format: 'image_disks.format' } as const;

/** One disk of the image meets every disk filter; the (value, image_id) indexes answer each. */
function hasDisk(eb: EB, filters: DiskFilter[]): Condition {
  let disks = eb.selectFrom('image_disks').select(sql.lit(1).as('one')).whereRef('image_disks.image_id', '=', 'images.id');
  for (const filter of filters) {
    const disk = DISK_COLUMNS[filter.field];
    disks = filter.op === 'in' ? disks.where(disk, 'in', filter.values) : disks.where(disk, '=', filter.value);
  }
  return eb.exists(disks);
}

/**
 * The image describes exactly `count` disks. Positions run 0…n-1 without gaps, so that is "a
 * disk at count-1 and none at count": two probes of the primary key (image_id, position) rather
 * than counting, and (position, image_id) lets the database start from the images with a disk
 * at count-1.
 */
function diskCount(eb: EB, count: number): Condition {
  const diskAt = (position: number) => eb.exists(eb.selectFrom('image_disks').select(sql.lit(1).as('one'))
    .whereRef('image_disks.image_id', '=', 'images.id').where('image_disks.position', '=', position));
  const noneBeyond = eb.not(diskAt(count));
  return count === 0 ? noneBeyond : eb.and([diskAt(count - 1), noneBeyond]);
}

const OPS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function attribute(eb: EB, filter: ColumnFilter): Condition {
  switch (filter.field) {
    case 'protected':
    case 'os_hidden':
      return eb(column(filter.field), '=', filter.value ? 1 : 0);
    case 'created_at':
    case 'updated_at':
      return eb(column(filter.field), OPS[filter.op], filter.value.getTime());
    case 'size':
    case 'virtual_size':
    case 'min_disk':
    case 'min_ram':
      return eb(column(filter.field), OPS[filter.op], filter.value);
    default:
      return filter.op === 'in' ? eb(column(filter.field), 'in', filter.values) : eb(column(filter.field), '=', filter.value);
  }
}

/** The marker's value for a sort key, encoded like the column. */
function markerValue(marker: Image, key: SortKey): SortValue {
  switch (key) {
    case 'name': return marker.name;
    case 'status': return marker.status;
    case 'container_format': return marker.containerFormat;
    case 'disk_format': return marker.diskFormat;
    case 'owner': return marker.owner;
    case 'visibility': return marker.visibility;
    case 'size': return marker.size;
    case 'virtual_size': return marker.virtualSize;
    case 'min_disk': return marker.minDisk;
    case 'min_ram': return marker.minRam;
    case 'id': return marker.id;
    case 'created_at': return marker.createdAt.getTime();
    case 'updated_at': return marker.updatedAt.getTime();
  }
}

/**
 * Rows strictly after the marker in the sort order: (k1 beyond m1) or (k1 = m1 and k2 beyond
 * m2) or … When every key is NOT NULL and runs in one direction this is a row-value comparison,
 * which both databases turn into a single index range (the default order is such a case).
 */
function afterMarker(eb: EB, sort: SortSpec[], marker: Image): Condition {
  const values = sort.map((s) => markerValue(marker, s.key));
  const dir = sort[0]!.dir;
  if (sort.every((s) => s.dir === dir && !NULLABLE_KEYS.has(s.key))) {
    const columns = sql.join(sort.map((s) => column(s.key)));
    return sql<SqlBool>`(${columns}) ${sql.raw(dir === 'asc' ? '>' : '<')} (${sql.join(values)})`;
  }
  const branches: Condition[] = [];
  sort.forEach((spec, i) => {
    const beyond = beyondValue(eb, spec, values[i]!);
    if (!beyond) return;
    const ties = sort.slice(0, i).map((prev, j) => equalTo(eb, prev.key, values[j]!));
    branches.push(eb.and([...ties, beyond]));
  });
  const after = eb.or(branches);
  // A bound on the first key alone is implied by the branches, and lets an index narrow the range.
  const first = sort[0]!;
  if (NULLABLE_KEYS.has(first.key)) return after;
  return eb.and([eb(column(first.key), dir === 'asc' ? '>=' : '<=', values[0]!), after]);
}

/** key = value, where NULL equals NULL. */
function equalTo(eb: EB, key: SortKey, value: SortValue): Condition {
  return value === null ? eb(column(key), 'is', null) : eb(column(key), '=', value);
}

/** key strictly after value in the key's direction, NULL being smallest; undefined when nothing can be. */
function beyondValue(eb: EB, { key, dir }: SortSpec, value: SortValue): Condition | undefined {
  if (dir === 'asc') return value === null ? eb(column(key), 'is not', null) : eb(column(key), '>', value);
  if (value === null) return undefined;
  const below = eb(column(key), '<', value);
  return NULLABLE_KEYS.has(key) ? eb.or([below, eb(column(key), 'is', null)]) : below;
}
