/**
 * The image catalog. Written with Kysely's schema builder only, so the same statements run on
 * SQLite and PostgreSQL. Timestamps are epoch milliseconds (bigint) and booleans 0/1 integers:
 * both sort, compare and bind identically on the two dialects.
 *
 * Indexes follow the list queries (see repositories/image-list.query.ts). Lists are ordered by
 * (created_at desc, id desc) by default and paged with a keyset on those columns, so every
 * index a list filter can use ends in (created_at, id): the database then reads one filtered
 * range already in page order and stops after `limit` rows instead of sorting every match.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)')
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('visibility', 'varchar(16)', (c) => c.notNull())
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('os_hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'varchar(255)')
    .addColumn('disk_format', 'varchar(32)')
    .addColumn('container_format', 'varchar(32)')
    .addColumn('min_disk', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_ram', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('size', 'bigint')
    .addColumn('virtual_size', 'bigint')
    .addColumn('checksum', 'varchar(32)')
    .addColumn('os_hash_algo', 'varchar(64)')
    .addColumn('os_hash_value', 'varchar(128)')
    .addColumn('store', 'varchar(255)')
    .addColumn('location_key', 'varchar(1024)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  // The default order and its keyset: one backward range scan per page.
  await db.schema.createIndex('images_created_idx').on('images').columns(['created_at', 'id']).execute();
  // Equality filters a list may carry, each followed by the default order (see the header).
  // owner also serves quotas (count per owner) and the "owned" branch of visibility;
  // status also serves the janitor's search for stale uploads.
  for (const column of ['owner', 'name', 'status', 'visibility']) {
    await db.schema.createIndex(`images_${column}_created_idx`).on('images').columns([column, 'created_at', 'id']).execute();
  }

  await db.schema
    .createTable('image_tags')
    .addColumn('image_id', 'varchar(36)', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('value', 'varchar(255)', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_tags_pk', ['image_id', 'value'])
    .execute();
  // The primary key answers "does this image have the tag"; this one "which images have it".
  await db.schema.createIndex('image_tags_value_idx').on('image_tags').columns(['value', 'image_id']).execute();

  await db.schema
    .createTable('image_properties')
    .addColumn('image_id', 'varchar(36)', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_properties_pk', ['image_id', 'name'])
    .execute();
  // Lookups by (name, value). A value may be 64 KiB, more than a PostgreSQL btree entry can
  // hold, so the index keeps only its first 64 characters; the query compares that prefix
  // (to use the index) and then the whole value.
  await db.schema.createIndex('image_properties_name_value_idx').on('image_properties')
    .expression(sql`name, substr(value, 1, 64)`).execute();

  await db.schema
    .createTable('image_members')
    .addColumn('image_id', 'varchar(36)', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('member', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_members_pk', ['image_id', 'member'])
    .execute();
  // The primary key checks one image's membership; this finds every image shared with a project.
  await db.schema.createIndex('image_members_member_idx').on('image_members').columns(['member', 'status', 'image_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['image_members', 'image_properties', 'image_tags', 'images']) {
    await db.schema.dropTable(table).execute();
  }
}
