/**
 * Metadata definitions (Glance's metadefs): namespaces and what they hold. Namespaces have an
 * internal id so they can be renamed without touching their contents; contents are keyed by
 * (namespace_id, name) and go with their namespace. Property definitions are stored as the
 * JSON document the API carries, since they are only ever read and written whole.
 *
 * metadef_seeds remembers which of Imago's shipped namespaces were loaded, so a namespace an
 * operator deleted or changed is never loaded again.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metadef_namespaces')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('namespace', 'varchar(80)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(80)')
    .addColumn('description', 'text')
    .addColumn('visibility', 'varchar(16)', (c) => c.notNull())
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('validation', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The default list order (newest first) and its keyset.
  await db.schema.createIndex('metadef_namespaces_created_idx').on('metadef_namespaces').columns(['created_at', 'namespace']).execute();

  for (const table of ['metadef_objects', 'metadef_properties']) {
    await db.schema
      .createTable(table)
      .addColumn('namespace_id', 'varchar(36)', (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
      .addColumn('name', 'varchar(80)', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['namespace_id', 'name'])
      .execute();
  }

  await db.schema
    .createTable('metadef_tags')
    .addColumn('namespace_id', 'varchar(36)', (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
    .addColumn('name', 'varchar(80)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('metadef_tags_pk', ['namespace_id', 'name'])
    .execute();

  await db.schema
    .createTable('metadef_resource_types')
    .addColumn('name', 'varchar(80)', (c) => c.primaryKey())
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('metadef_associations')
    .addColumn('namespace_id', 'varchar(36)', (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
    .addColumn('resource_type', 'varchar(80)', (c) => c.notNull().references('metadef_resource_types.name'))
    .addColumn('prefix', 'varchar(80)')
    .addColumn('properties_target', 'varchar(80)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('metadef_associations_pk', ['namespace_id', 'resource_type'])
    .execute();
  // Lists filtered by resource type, and every image create or update (OS::Glance::Image).
  await db.schema.createIndex('metadef_associations_type_idx').on('metadef_associations').columns(['resource_type', 'namespace_id']).execute();

  await db.schema
    .createTable('metadef_seeds')
    .addColumn('namespace', 'varchar(80)', (c) => c.primaryKey())
    .addColumn('loaded_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['metadef_seeds', 'metadef_associations', 'metadef_resource_types', 'metadef_tags', 'metadef_properties', 'metadef_objects', 'metadef_namespaces']) {
    await db.schema.dropTable(table).execute();
  }
}
