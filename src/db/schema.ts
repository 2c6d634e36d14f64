/**
 * The catalog's tables as Kysely sees them (created by migrations/). One schema for SQLite and
 * PostgreSQL: timestamps are epoch milliseconds (bigint, read back as numbers on both), so
 * they keep millisecond precision and sort and compare identically; booleans are 0/1 integers,
 * which better-sqlite3 can bind (it rejects JS booleans). Enumerations are plain text: the
 * domain validates them, and the row mapper narrows them back to the domain's types.
 */
export interface ImagesTable {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  protected: number;
  os_hidden: number;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  store: string | null;
  location_key: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Imago's catalog fields (migrations/0005-catalog.ts); source, manifest and disks are JSON text. */
  imago_kind: string;
  imago_family: string | null;
  imago_version: string | null;
  imago_base_image_id: string | null;
  imago_source: string | null;
  imago_manifest: string | null;
  imago_disks: string | null;
  imago_deprecation_state: string;
  imago_replacement_id: string | null;
  imago_deprecated_at: number | null;
  imago_obsolete_at: number | null;
  imago_deleted_at: number | null;
  imago_transition_at: number | null;
}

export interface ImageTagsTable {
  image_id: string;
  value: string;
}

export interface ImagePropertiesTable {
  image_id: string;
  name: string;
  value: string;
}

export interface ImageMembersTable {
  image_id: string;
  member: string;
  status: string;
  created_at: number;
  updated_at: number;
}

/** One row per disk of images.imago_disks, for list filters (migrations/0006-image-disks.ts). */
export interface ImageDisksTable {
  image_id: string;
  /** The disk's index in imago_disks. */
  position: number;
  name: string;
  role: string;
  size_gb: number;
  format: string;
  bus: string;
}

/** Imago's own identity service (migrations/0002-identity.ts). */
export interface IdentityProjectsTable {
  id: string;
  name: string;
  description: string;
  enabled: number;
  created_at: number;
}

export interface IdentityUsersTable {
  id: string;
  name: string;
  password_hash: string | null;
  enabled: number;
  default_project_id: string | null;
  created_at: number;
}

export interface IdentityRoleAssignmentsTable {
  user_id: string;
  project_id: string;
  role: string;
}

export interface IdentityAppCredentialsTable {
  id: string;
  user_id: string;
  project_id: string;
  name: string;
  description: string;
  secret_hash: string;
  roles: string;
  expires_at: number | null;
  created_at: number;
}

export interface IdentityTokensTable {
  token_hash: string;
  user_id: string;
  project_id: string | null;
  roles: string;
  methods: string;
  audit_ids: string;
  app_credential_id: string | null;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Per-project quota overrides (migrations/0003-quotas.ts), in the quota's unit (MiB or images). */
export interface ProjectQuotasTable {
  project_id: string;
  quota_name: string;
  limit_value: number;
  updated_at: number;
}

/** Metadata definitions (migrations/0004-metadefs.ts); documents are JSON text. */
export interface MetadefNamespacesTable {
  id: string;
  namespace: string;
  display_name: string | null;
  description: string | null;
  visibility: string;
  protected: number;
  owner: string;
  validation: string;
  created_at: number;
  updated_at: number;
}

export interface MetadefDocumentsTable {
  namespace_id: string;
  name: string;
  document: string;
  created_at: number;
  updated_at: number;
}

export interface MetadefTagsTable {
  namespace_id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface MetadefResourceTypesTable {
  name: string;
  protected: number;
  created_at: number;
  updated_at: number;
}

export interface MetadefAssociationsTable {
  namespace_id: string;
  resource_type: string;
  prefix: string | null;
  properties_target: string | null;
  created_at: number;
  updated_at: number;
}

export interface MetadefSeedsTable {
  namespace: string;
  loaded_at: number;
}

/** Retention per image family (migrations/0005-catalog.ts): keep the newest `keep` versions. */
export interface CatalogFamilyRetentionTable {
  family: string;
  keep: number;
  action: string;
  updated_at: number;
}

/** Properties every image of a kind or family must have when it becomes active; `properties` is a JSON array. */
export interface CatalogRequiredPropertiesTable {
  scope: string;
  name: string;
  properties: string;
  updated_at: number;
}

export interface Database {
  identity_projects: IdentityProjectsTable;
  identity_users: IdentityUsersTable;
  identity_role_assignments: IdentityRoleAssignmentsTable;
  identity_app_credentials: IdentityAppCredentialsTable;
  identity_tokens: IdentityTokensTable;
  images: ImagesTable;
  catalog_family_retention: CatalogFamilyRetentionTable;
  catalog_required_properties: CatalogRequiredPropertiesTable;
  image_tags: ImageTagsTable;
  image_properties: ImagePropertiesTable;
  image_members: ImageMembersTable;
  image_disks: ImageDisksTable;
  project_quotas: ProjectQuotasTable;
  metadef_namespaces: MetadefNamespacesTable;
  metadef_objects: MetadefDocumentsTable;
  metadef_properties: MetadefDocumentsTable;
  metadef_tags: MetadefTagsTable;
  metadef_resource_types: MetadefResourceTypesTable;
  metadef_associations: MetadefAssociationsTable;
  metadef_seeds: MetadefSeedsTable;
}
