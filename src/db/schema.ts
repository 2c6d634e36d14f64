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

export interface Database {
  images: ImagesTable;
  image_tags: ImageTagsTable;
  image_properties: ImagePropertiesTable;
  image_members: ImageMembersTable;
}
