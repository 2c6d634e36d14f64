/** The documents of Imago's catalog API (/imago/v1), as the server sends them. */
import type { ImageStatus } from './image-types.js';

export type ImageKind = 'standard' | 'capsule' | 'custom';
export type DeprecationState = 'active' | 'deprecated' | 'obsolete' | 'deleted';

/** An image as a lineage or family lists it. */
export interface ImageRef {
  id: string;
  name: string | null;
  status: ImageStatus;
  owner: string | null;
  imago_kind: ImageKind;
  imago_family: string | null;
  imago_version: string | null;
  imago_base_image_id: string | null;
  imago_deprecation_state: DeprecationState;
  os_hidden: boolean;
  created_at: string;
}

/** The image first, then its base, up to the root; an ancestor the caller may not see ends the chain. */
export interface AncestryDocument {
  ancestry: Array<ImageRef | { id: string; visible: false } | { id: string; deleted: true }>;
}

export interface DescendantsDocument {
  image_id: string;
  descendants: Array<ImageRef & { depth: number }>;
}

export interface StalenessDocument {
  image: ImageRef;
  stale: boolean;
  base: ImageRef | null;
  latest: ImageRef | null;
}

export interface RetentionDocument {
  keep: number;
  action: 'deprecate' | 'obsolete' | 'delete';
}

export interface FamilyDocument {
  name: string;
  version_count: number;
  latest: ImageRef | null;
  retention: RetentionDocument | null;
  /** Newest first; only in GET /imago/v1/families/{name}. */
  versions?: ImageRef[];
}

export interface DeprecationRequest {
  state?: DeprecationState;
  replacement?: string | null;
  /** ISO 8601 times in the future. */
  deprecated?: string;
  obsolete?: string;
  deleted?: string;
}

/** The image document's imago_deprecation member. */
export interface DeprecationDocument {
  state: DeprecationState;
  replacement: string | null;
  deprecated: string | null;
  obsolete: string | null;
  deleted: string | null;
}
