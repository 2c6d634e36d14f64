/** How images look to people: the list columns and the fields of `image show`. */
import type { ImageRecord } from '../../client/image-types.js';
import { renderFields, renderTable, type Column } from './table.js';
import { formatBytes } from './units.js';

const LIST_COLUMNS: Column[] = [
  { header: 'ID' }, { header: 'Name' }, { header: 'Status' }, { header: 'Visibility' }, { header: 'Kind' },
  { header: 'Disk' }, { header: 'Size', align: 'right' },
];

export function renderImageList(images: ImageRecord[]): string {
  return renderTable(LIST_COLUMNS, images.map((image) => [
    image.id,
    image.name ?? '',
    image.status,
    image.visibility,
    typeof image.imago_kind === 'string' ? image.imago_kind : '',
    image.disk_format ?? '',
    image.size === null || image.size === undefined ? '' : formatBytes(image.size),
  ]));
}

/** Base fields in the order people look for them; custom properties follow, sorted. */
const SHOWN_FIELDS = [
  'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format', 'container_format',
  'size', 'virtual_size', 'min_disk', 'min_ram', 'checksum', 'os_hash_algo', 'os_hash_value', 'stores', 'tags',
  'created_at', 'updated_at',
];
/** Links to the API itself tell a person nothing. */
const HIDDEN_FIELDS = new Set(['self', 'file', 'schema']);

export function renderImage(image: ImageRecord): string {
  const properties = Object.keys(image)
    .filter((key) => !SHOWN_FIELDS.includes(key) && !HIDDEN_FIELDS.has(key))
    .sort();
  const fields = [...SHOWN_FIELDS, ...properties]
    .filter((key) => key in image)
    .map((key): [string, string] => [key, fieldText(key, image[key])]);
  return renderFields(fields);
}

function fieldText(key: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if ((key === 'size' || key === 'virtual_size') && typeof value === 'number') {
    return value < 1024 ? formatBytes(value) : `${formatBytes(value)} (${value} bytes)`;
  }
  if (key === 'min_disk' && typeof value === 'number') return `${value} GB`;
  if (key === 'min_ram' && typeof value === 'number') return `${value} MB`;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}
