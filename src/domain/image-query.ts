/**
 * What a list of images is asked for, already parsed and validated by the service layer.
 * The repository turns it into SQL; nothing here knows about HTTP query strings.
 */
import type { Image, ImageStatus, MemberStatus, Visibility } from './image.js';

/** Columns of the image record that can be filtered, compared and sorted. */
export const SORT_KEYS = [
  'name', 'status', 'container_format', 'disk_format', 'size', 'virtual_size', 'id',
  'created_at', 'updated_at', 'min_disk', 'min_ram', 'owner', 'visibility',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
export interface SortSpec { key: SortKey; dir: SortDir }

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

/** One condition on a column of the image record, or on the disks it describes. */
export type AttributeFilter =
  | { field: 'name' | 'status' | 'container_format' | 'disk_format' | 'id' | 'owner'; op: 'eq'; value: string }
  | { field: 'name' | 'status' | 'container_format' | 'disk_format' | 'id'; op: 'in'; values: string[] }
  | { field: 'protected' | 'os_hidden'; op: 'eq'; value: boolean }
  | { field: 'size'; op: 'eq' | 'gte' | 'lte'; value: number }
  | { field: 'virtual_size' | 'min_disk' | 'min_ram'; op: 'eq'; value: number }
  | { field: 'created_at' | 'updated_at'; op: CompareOp; value: Date }
  | { field: CatalogFilterField; op: 'eq'; value: string }
  | { field: CatalogFilterField; op: 'in'; values: string[] }
  | { field: DiskFilterField; op: 'eq'; value: string }
  | { field: DiskFilterField; op: 'in'; values: string[] }
  | { field: 'imago_disk_count'; op: 'eq'; value: number };

/** Imago's catalog columns a list can filter on (equality or an in: list). */
export const CATALOG_FILTER_FIELDS = ['imago_kind', 'imago_family', 'imago_version', 'imago_base_image_id', 'imago_deprecation_state'] as const;
export type CatalogFilterField = (typeof CATALOG_FILTER_FIELDS)[number];

/**
 * Filters on the image's disks (catalog.DiskSpec): the image has a disk with that role, bus or
 * format. Given together, they must hold for one and the same disk ("a data disk on scsi").
 */
export const DISK_FILTER_FIELDS = ['imago_disk_role', 'imago_disk_bus', 'imago_disk_format'] as const;
export type DiskFilterField = (typeof DISK_FILTER_FIELDS)[number];

/** Who is looking: decides which images are visible at all (Glance's list semantics). */
export interface Viewer {
  /** Admins see every image; a non-admin sees public, owned, and shared-with-them images. */
  isAdmin: boolean;
  /** The caller's project; null for a project-less caller, who sees only public images. */
  projectId: string | null;
}

export interface ImageListQuery {
  viewer: Viewer;
  /**
   * undefined: Glance's default (public + owned + accepted shared; community only when owned).
   * 'all': every visibility the viewer may see. Otherwise exactly that visibility.
   */
  visibility?: Visibility | 'all';
  /** For shared images seen through membership; default 'accepted'. */
  memberStatus?: MemberStatus | 'all';
  filters: AttributeFilter[];
  /** Every tag must be present (AND). */
  tags: string[];
  /** Custom property equality, e.g. { os_distro: 'debian' }. */
  properties: Record<string, string>;
  /** Deleted images are never listed; statuses are filtered through `filters`. */
  sort: SortSpec[];
  /** The last image of the previous page: results continue strictly after it in sort order. */
  marker?: Image;
  limit: number;
}

/** Statuses in which an image is gone from the API's point of view. */
export const INVISIBLE_STATUSES: readonly ImageStatus[] = ['deleted', 'pending_delete'];
