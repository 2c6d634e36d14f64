/**
 * The image catalog's own fields (kind, family, version, lineage, source, capsule manifest,
 * disks, deprecation) as columns of images, and the per-family and per-kind policies.
 *
 * The manifest, the source and the disks are JSON documents in text columns: they are read
 * and written whole, never searched inside. Deprecation is a state with its schedule;
 * `imago_transition_at` is the time of the next scheduled transition (null when none), which
 * the scheduler finds through its index without scanning every image.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('images').addColumn('imago_kind', 'varchar(16)', (c) => c.notNull().defaultTo('custom')).execute();
  await db.schema.alterTable('images').addColumn('imago_family', 'varchar(64)').execute();
  await db.schema.alterTable('images').addColumn('imago_version', 'varchar(64)').execute();
  await db.schema.alterTable('images').addColumn('imago_base_image_id', 'varchar(36)').execute();
  await db.schema.alterTable('images').addColumn('imago_source', 'text').execute();
  await db.schema.alterTable('images').addColumn('imago_manifest', 'text').execute();
  await db.schema.alterTable('images').addColumn('imago_disks', 'text').execute();
  await db.schema.alterTable('images').addColumn('imago_deprecation_state', 'varchar(16)', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('images').addColumn('imago_replacement_id', 'varchar(36)').execute();
  await db.schema.alterTable('images').addColumn('imago_deprecated_at', 'bigint').execute();
  await db.schema.alterTable('images').addColumn('imago_obsolete_at', 'bigint').execute();
  await db.schema.alterTable('images').addColumn('imago_deleted_at', 'bigint').execute();
  await db.schema.alterTable('images').addColumn('imago_transition_at', 'bigint').execute();

  // List filters, each followed by the default order (see 0001-images.ts).
  for (const column of ['imago_kind', 'imago_family']) {
    await db.schema.createIndex(`images_${column}_created_idx`).on('images').columns([column, 'created_at', 'id']).execute();
  }
  // Descendants of an image, and "is anything built on it" before a delete.
  await db.schema.createIndex('images_imago_base_idx').on('images').columns(['imago_base_image_id', 'id']).execute();
  await db.schema.createIndex('images_imago_transition_idx').on('images').columns(['imago_transition_at']).execute();

  await db.schema
    .createTable('catalog_family_retention')
    .addColumn('family', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('keep', 'integer', (c) => c.notNull())
    .addColumn('action', 'varchar(16)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // scope is 'kind' or 'family'; properties a JSON array of property names.
  await db.schema
    .createTable('catalog_required_properties')
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalog_required_properties_pk', ['scope', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalog_required_properties').execute();
  await db.schema.dropTable('catalog_family_retention').execute();
  for (const index of ['images_imago_transition_idx', 'images_imago_base_idx', 'images_imago_family_created_idx', 'images_imago_kind_created_idx']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of [
    'imago_transition_at', 'imago_deleted_at', 'imago_obsolete_at', 'imago_deprecated_at', 'imago_replacement_id', 'imago_deprecation_state',
    'imago_disks', 'imago_manifest', 'imago_source', 'imago_base_image_id', 'imago_version', 'imago_family', 'imago_kind',
  ]) {
    await db.schema.alterTable('images').dropColumn(column).execute();
  }
}
