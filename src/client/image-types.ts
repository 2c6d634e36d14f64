/**
 * The Image API v2 documents as they travel on the wire (Glance's snake_case JSON). The
 * client speaks this shape rather than the server's domain model, so it works against any
 * Glance-compatible endpoint.
 */
import type { ContainerFormat, DiskFormat, ImageStatus, Visibility } from '../domain/image.js';

export type { ContainerFormat, DiskFormat, ImageStatus, Visibility };

/** An image as GET /v2/images/{id} returns it; custom properties sit beside the base fields. */
export interface ImageRecord {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  os_hidden: boolean;
  owner: string | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  size: number | null;
  virtual_size: number | null;
  disk_format: DiskFormat | null;
  container_format: ContainerFormat | null;
  min_disk: number;
  min_ram: number;
  created_at: string;
  updated_at: string;
  tags: string[];
  self: string;
  file: string;
  schema: string;
  [property: string]: unknown;
}

/** The body of POST /v2/images: base fields plus any custom string properties. */
export interface ImageCreateFields {
  id?: string;
  name?: string | null;
  disk_format?: DiskFormat | null;
  container_format?: ContainerFormat | null;
  visibility?: Visibility;
  protected?: boolean;
  os_hidden?: boolean;
  min_disk?: number;
  min_ram?: number;
  tags?: string[];
  /** Imago's catalog fields (docs/catalog.md). */
  imago_kind?: 'standard' | 'capsule' | 'custom';
  imago_source?: { type: string; ref?: string | null } | null;
  imago_manifest?: Record<string, unknown> | null;
  imago_disks?: Array<Record<string, unknown>>;
  [property: string]: string | number | boolean | string[] | object | null | undefined;
}

/** One operation of application/openstack-images-v2.1-json-patch (RFC 6902 subset). */
export type PatchOperation =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/**
 * GET /v2/images query: the well-known parameters are typed, and any other key is passed
 * through as a filter (custom properties, `size_min`, `created_at=gt:…`, `in:` lists …).
 * Arrays become repeated parameters (`tag=a&tag=b`).
 */
export interface ImageListQuery {
  name?: string;
  status?: string;
  visibility?: Visibility | 'all';
  owner?: string;
  tag?: string[];
  sort?: string;
  limit?: number;
  marker?: string;
  [filter: string]: string | number | boolean | string[] | undefined;
}

/** One page of GET /v2/images; `next` is absent on the last page. */
export interface ImagePage {
  images: ImageRecord[];
  first: string;
  next?: string;
  schema: string;
}

/** Called as bytes move; `total` is undefined when the length is not known. */
export type ProgressListener = (transferred: number, total: number | undefined) => void;
