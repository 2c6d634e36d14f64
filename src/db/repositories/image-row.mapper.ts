/**
 * Converts between catalog rows and domain images (timestamps, 0/1 booleans, location).
 * Bigint columns already arrive as numbers on both dialects (see database.ts).
 */
import type { ContainerFormat, DiskFormat, Image, ImageStatus, Visibility } from '../../domain/image.js';
import type { ImageChanges } from '../../services/ports.js';
import type { ImagesTable } from '../schema.js';
import { catalogColumns, catalogFieldColumns, catalogFields } from './catalog-columns.mapper.js';

export function toRow(image: Image): ImagesTable {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected ? 1 : 0,
    os_hidden: image.osHidden ? 1 : 0,
    owner: image.owner,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    size: image.size,
    virtual_size: image.virtualSize,
    checksum: image.checksum,
    os_hash_algo: image.osHashAlgo,
    os_hash_value: image.osHashValue,
    store: image.location?.store ?? null,
    location_key: image.location?.key ?? null,
    created_at: image.createdAt.getTime(),
    updated_at: image.updatedAt.getTime(),
    deleted_at: null,
    ...catalogColumns(image.catalog),
  };
}

export function fromRow(row: ImagesTable, tags: string[], properties: Record<string, string>): Image {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ImageStatus,
    visibility: row.visibility as Visibility,
    protected: Boolean(row.protected),
    osHidden: Boolean(row.os_hidden),
    owner: row.owner,
    diskFormat: row.disk_format as DiskFormat | null,
    containerFormat: row.container_format as ContainerFormat | null,
    minDisk: row.min_disk,
    minRam: row.min_ram,
    size: row.size,
    virtualSize: row.virtual_size,
    checksum: row.checksum,
    osHashAlgo: row.os_hash_algo,
    osHashValue: row.os_hash_value,
    location: row.store !== null && row.location_key !== null ? { store: row.store, key: row.location_key } : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    tags,
    properties,
    catalog: catalogFields(row),
  };
}

/** The column updates for the scalar part of ImageChanges. */
export function changedColumns(changes: ImageChanges): Partial<ImagesTable> {
  const columns: Partial<ImagesTable> = { updated_at: changes.updatedAt.getTime() };
  if (changes.name !== undefined) columns.name = changes.name;
  if (changes.status !== undefined) columns.status = changes.status;
  if (changes.visibility !== undefined) columns.visibility = changes.visibility;
  if (changes.protected !== undefined) columns.protected = changes.protected ? 1 : 0;
  if (changes.osHidden !== undefined) columns.os_hidden = changes.osHidden ? 1 : 0;
  if (changes.owner !== undefined) columns.owner = changes.owner;
  if (changes.diskFormat !== undefined) columns.disk_format = changes.diskFormat;
  if (changes.containerFormat !== undefined) columns.container_format = changes.containerFormat;
  if (changes.minDisk !== undefined) columns.min_disk = changes.minDisk;
  if (changes.minRam !== undefined) columns.min_ram = changes.minRam;
  if (changes.size !== undefined) columns.size = changes.size;
  if (changes.virtualSize !== undefined) columns.virtual_size = changes.virtualSize;
  if (changes.checksum !== undefined) columns.checksum = changes.checksum;
  if (changes.osHashAlgo !== undefined) columns.os_hash_algo = changes.osHashAlgo;
  if (changes.osHashValue !== undefined) columns.os_hash_value = changes.osHashValue;
  if (changes.catalog !== undefined) Object.assign(columns, catalogFieldColumns(changes.catalog));
  if (changes.location !== undefined) {
    columns.store = changes.location?.store ?? null;
    columns.location_key = changes.location?.key ?? null;
  }
  return columns;
}
