/**
 * Per-project quota overrides, and an index for counting a project's usage.
 *
 * Only overrides are stored: a project without a row has the configured defaults, so
 * changing a default applies to every project that was not given its own limit. Limits are
 * kept in the quota's reported unit (MiB or images), so what an admin sets is what they read.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('project_quotas')
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('quota_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('limit_value', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_quotas_pk', ['project_id', 'quota_name'])
    .execute();
  // Usage is counted on every create and upload start of a project with a limit: this index
  // holds every column that count reads (owner, status, size), so it is one range scan of
  // the owner's entries without visiting the table rows.
  await db.schema.createIndex('images_owner_status_size_idx').on('images').columns(['owner', 'status', 'size']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('images_owner_status_size_idx').execute();
  await db.schema.dropTable('project_quotas').execute();
}
