/**
 * The image as the API's JSON document: Glance's field names, custom properties flattened
 * beside the base fields. Creates and patches are applied to this document and validated
 * against IMAGE_SCHEMA, so wire rules live in one place; links (self, file, schema) are
 * added by the HTTP layer, which knows the URLs.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { deprecationDocument } from './catalog-document.js';
import { BadRequestError, ForbiddenError, PayloadTooLargeError } from './errors.js';
import type { ContainerFormat, DiskFormat, Image, Visibility } from './image.js';
import {
  IMAGE_SCHEMA, MAX_PROPERTY_KEY_LENGTH, READ_ONLY_FIELDS, RESERVED_PREFIX, SETTABLE_FIELDS,
} from './image-schema.js';

export type ImageDocument = Record<string, unknown>;

const BASE_FIELDS = new Set<string>([...READ_ONLY_FIELDS, ...SETTABLE_FIELDS]);

export function isBaseField(key: string): boolean {
  return BASE_FIELDS.has(key);
}

const ajv = new Ajv({ strict: false, allErrors: false });
const validateDocument = ajv.compile({ type: 'object', properties: IMAGE_SCHEMA.properties, additionalProperties: IMAGE_SCHEMA.additionalProperties });

export function iso(date: Date): string {
  // Glance shows whole seconds with a Z suffix.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toDocument(image: Image): ImageDocument {
  // Base fields first in one literal, custom properties after: V8 builds this shape on its
  // fast path, while spreading the properties first made every document a slow dictionary
  // whose garbage drove GC pauses on list pages. Base fields win over same-named properties.
  const doc: ImageDocument = {
    id: image.id,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected,
    os_hidden: image.osHidden,
    owner: image.owner,
    checksum: image.checksum,
    os_hash_algo: image.osHashAlgo,
    os_hash_value: image.osHashValue,
    size: image.size,
    virtual_size: image.virtualSize,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    created_at: iso(image.createdAt),
    updated_at: iso(image.updatedAt),
    tags: [...image.tags],
    imago_kind: image.catalog.kind,
    imago_family: image.catalog.family,
    imago_version: image.catalog.version,
    imago_base_image_id: image.catalog.baseImageId,
    imago_source: image.catalog.source,
    imago_manifest: image.catalog.manifest,
    imago_disks: image.catalog.disks,
    imago_deprecation: deprecationDocument(image.catalog.deprecation),
  };
  if (image.location) doc.stores = image.location.store;
  for (const [key, value] of Object.entries(image.properties)) if (!Object.hasOwn(doc, key)) doc[key] = value;
  return doc;
}

/** The user-settable part of a document, as typed values (after validation). */
export interface ImageFields {
  name: string | null;
  visibility: Visibility;
  protected: boolean;
  osHidden: boolean;
  owner: string | null;
  diskFormat: DiskFormat | null;
  containerFormat: ContainerFormat | null;
  minDisk: number;
  minRam: number;
  tags: string[];
  properties: Record<string, string>;
}

export interface DocumentLimits {
  tagQuota: number;
  propertyQuota: number;
}

/** Refuses keys a client may never write: read-only fields and Glance's reserved prefix. */
export function assertWritableKey(key: string): void {
  if ((READ_ONLY_FIELDS as readonly string[]).includes(key)) {
    throw new ForbiddenError(`Attribute '${key}' is read-only.`, { reason: 'image.read_only' });
  }
  if (key.startsWith(RESERVED_PREFIX)) {
    throw new ForbiddenError(`Attribute '${key}' is reserved.`, { reason: 'image.reserved' });
  }
  if (key === '__proto__') {
    // Plain objects carry documents; this name would reach their prototype, not a property.
    throw new BadRequestError(`Property name '${key}' is not allowed.`, { reason: 'image.property_key' });
  }
  if (key.length === 0 || key.length > MAX_PROPERTY_KEY_LENGTH) {
    throw new BadRequestError(`Property names must be 1 to ${MAX_PROPERTY_KEY_LENGTH} characters long.`, { reason: 'image.property_key' });
  }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? `'${error.instancePath.slice(1).replace(/\//g, '.')}'` : 'the image';
  const allowed = error.keyword === 'enum' ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return `${where} ${error.message ?? 'is invalid'}${allowed}`;
}

/**
 * Validates a whole document and returns its settable fields. Throws 400 for schema
 * violations and 413 when there are more tags or properties than the quotas allow.
 */
export function readFields(doc: ImageDocument, limits: DocumentLimits): ImageFields {
  if (!validateDocument(doc)) {
    const first = validateDocument.errors?.[0];
    throw new BadRequestError(`Provided object does not match schema 'image': ${first ? describe(first) : 'invalid'}`, { reason: 'image.schema' });
  }
  const tags = [...new Set((doc.tags as string[] | undefined) ?? [])];
  if (tags.some((t) => t.length === 0)) throw new BadRequestError('Tags must not be empty strings.', { reason: 'image.schema' });
  if (tags.length > limits.tagQuota) {
    throw new PayloadTooLargeError(`Maximum number of tags exceeded: attempted ${tags.length}, maximum ${limits.tagQuota}.`, { reason: 'image.tag_quota' });
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!isBaseField(key)) properties[key] = value as string;
  }
  const count = Object.keys(properties).length;
  if (count > limits.propertyQuota) {
    throw new PayloadTooLargeError(`Maximum number of properties exceeded: attempted ${count}, maximum ${limits.propertyQuota}.`, { reason: 'image.property_quota' });
  }
  return {
    name: (doc.name as string | null | undefined) ?? null,
    visibility: (doc.visibility as Visibility | undefined) ?? 'shared',
    protected: (doc.protected as boolean | undefined) ?? false,
    osHidden: (doc.os_hidden as boolean | undefined) ?? false,
    owner: (doc.owner as string | null | undefined) ?? null,
    diskFormat: (doc.disk_format as DiskFormat | null | undefined) ?? null,
    containerFormat: (doc.container_format as ContainerFormat | null | undefined) ?? null,
    minDisk: (doc.min_disk as number | undefined) ?? 0,
    minRam: (doc.min_ram as number | undefined) ?? 0,
    tags,
    properties,
  };
}
