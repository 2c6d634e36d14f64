/**
 * The catalog of Imago's own identity service (standalone mode): projects, users, role
 * assignments, issued tokens and application credentials. Tokens live in the catalog (by their
 * SHA-256, never in clear) so that every stateless node validates the same tokens and a
 * revocation on one node holds on all of them.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_projects')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_users')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    // null: the user cannot log in with a password (application credentials only).
    .addColumn('password_hash', 'varchar(255)')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('default_project_id', 'varchar(32)', (c) => c.references('identity_projects.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_role_assignments')
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('project_id', 'varchar(32)', (c) => c.notNull().references('identity_projects.id').onDelete('cascade'))
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_role_assignments_pk', ['user_id', 'project_id', 'role'])
    .execute();
  // The primary key serves "roles of a user"; this one "who has roles on a project".
  await db.schema.createIndex('identity_role_assignments_project_idx').on('identity_role_assignments').columns(['project_id', 'user_id']).execute();

  await db.schema
    .createTable('identity_app_credentials')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('project_id', 'varchar(32)', (c) => c.notNull().references('identity_projects.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(255)', (c) => c.notNull())
    // Space-separated role names (a closed set of single words).
    .addColumn('roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('identity_app_credentials_user_name_uq', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('identity_tokens')
    .addColumn('token_hash', 'char(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('project_id', 'varchar(32)', (c) => c.references('identity_projects.id').onDelete('cascade'))
    .addColumn('roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('methods', 'varchar(128)', (c) => c.notNull())
    .addColumn('audit_ids', 'varchar(128)', (c) => c.notNull())
    // No foreign key: deleting a credential revokes its tokens (kept until they expire).
    .addColumn('app_credential_id', 'varchar(32)')
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  // Revoking everything of a user on a project (role removed), and pruning expired tokens.
  await db.schema.createIndex('identity_tokens_user_idx').on('identity_tokens').columns(['user_id', 'project_id']).execute();
  await db.schema.createIndex('identity_tokens_expires_idx').on('identity_tokens').columns(['expires_at']).execute();
  await db.schema.createIndex('identity_tokens_app_credential_idx').on('identity_tokens').columns(['app_credential_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['identity_tokens', 'identity_app_credentials', 'identity_role_assignments', 'identity_users', 'identity_projects']) {
    await db.schema.dropTable(table).execute();
  }
}
