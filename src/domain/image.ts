/**
 * The image record and its vocabulary, as the OpenStack Image API v2 defines them.
 * Pure data and rules: no I/O here.
 */
import type { CatalogFields } from './catalog.js';

export const IMAGE_STATUSES = [
  'queued', 'saving', 'uploading', 'importing', 'active', 'deactivated', 'killed', 'deleted', 'pending_delete',
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const VISIBILITIES = ['public', 'community', 'shared', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Where an image's bytes live: the store that holds them and the key inside it. */
export interface ImageLocation {
  store: string;
  key: string;
}

export interface Image {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  osHidden: boolean;
  owner: string | null;
  diskFormat: DiskFormat | null;
  containerFormat: ContainerFormat | null;
  minDisk: number;
  minRam: number;
  size: number | null;
  virtualSize: number | null;
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  location: ImageLocation | null;
  createdAt: Date;
  updatedAt: Date;
  tags: string[];
  /** Free-form ("extra") properties: string keys and string values, as Glance's schema allows. */
  properties: Record<string, string>;
  /** Imago's catalog fields: kind, family, lineage, deprecation (see catalog.ts). */
  catalog: CatalogFields;
}
