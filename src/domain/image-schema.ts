/**
 * The JSON schemas of the Image API v2, as served under /v2/schemas. The image schema is
 * also what create and update are validated against (domain/image-validator.ts), so the
 * document clients read is the rule the server applies.
 */
import { CATALOG_READ_ONLY_FIELDS, CATALOG_SCHEMA_PROPERTIES, CATALOG_SETTABLE_FIELDS } from './catalog-document.js';
import { CONTAINER_FORMATS, DISK_FORMATS, IMAGE_STATUSES, MEMBER_STATUSES, VISIBILITIES } from './image.js';

const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
const MAX_INT = 2 ** 31 - 1;

/** Fields the server computes; a client that sends them gets 403, as in Glance. */
export const READ_ONLY_FIELDS = [
  'status', 'created_at', 'updated_at', 'size', 'virtual_size', 'checksum', 'os_hash_algo',
  'os_hash_value', 'self', 'file', 'schema', 'direct_url', 'locations', 'stores', ...CATALOG_READ_ONLY_FIELDS,
] as const;

/** Base fields a client may set. `id` only at create time. */
export const SETTABLE_FIELDS = [
  'id', 'name', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format', 'container_format',
  'min_disk', 'min_ram', 'tags', ...CATALOG_SETTABLE_FIELDS,
] as const;

/** Prefix Glance reserves for its own use; clients can neither set nor remove these. */
export const RESERVED_PREFIX = 'os_glance_';

export const MAX_PROPERTY_KEY_LENGTH = 255;
export const MAX_PROPERTY_VALUE_LENGTH = 65_535;

const nullableString = (extra: Record<string, unknown> = {}) => ({ type: ['null', 'string'], ...extra });

export const IMAGE_SCHEMA = {
  name: 'image',
  additionalProperties: { type: 'string', maxLength: MAX_PROPERTY_VALUE_LENGTH },
  properties: {
    id: { type: 'string', pattern: UUID_PATTERN, description: 'An identifier for the image' },
    name: nullableString({ maxLength: 255, description: 'Descriptive name for the image' }),
    status: { type: 'string', readOnly: true, enum: [...IMAGE_STATUSES], description: 'Status of the image' },
    visibility: { type: 'string', enum: [...VISIBILITIES], description: 'Scope of image accessibility' },
    protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
    os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
    checksum: nullableString({ readOnly: true, maxLength: 32, description: 'md5 hash of image contents.' }),
    os_hash_algo: nullableString({ readOnly: true, maxLength: 64, description: 'Algorithm used to calculate os_hash_value' }),
    os_hash_value: nullableString({ readOnly: true, maxLength: 128, description: 'Hexdigest of the image contents using os_hash_algo' }),
    owner: nullableString({ maxLength: 255, description: 'Owner of the image' }),
    size: { type: ['null', 'integer'], readOnly: true, description: 'Size of image file in bytes' },
    virtual_size: { type: ['null', 'integer'], readOnly: true, description: 'Virtual size of image in bytes' },
    container_format: { type: ['null', 'string'], enum: [null, ...CONTAINER_FORMATS], description: 'Format of the container' },
    disk_format: { type: ['null', 'string'], enum: [null, ...DISK_FORMATS], description: 'Format of the disk' },
    created_at: { type: 'string', readOnly: true, description: 'Date and time of image registration' },
    updated_at: { type: 'string', readOnly: true, description: 'Date and time of the last image modification' },
    tags: { type: 'array', items: { type: 'string', maxLength: 255 }, description: 'List of strings related to the image' },
    direct_url: { type: 'string', readOnly: true, description: 'URL to access the image file kept in external store' },
    min_ram: { type: 'integer', minimum: 0, maximum: MAX_INT, description: 'Amount of ram (in MB) required to boot image.' },
    min_disk: { type: 'integer', minimum: 0, maximum: MAX_INT, description: 'Amount of disk space (in GB) required to boot image.' },
    self: { type: 'string', readOnly: true, description: 'An image self url' },
    file: { type: 'string', readOnly: true, description: 'An image file url' },
    schema: { type: 'string', readOnly: true, description: 'An image schema url' },
    locations: { type: 'array', readOnly: true, items: { type: 'object' }, description: 'A set of URLs to access the image file kept in external store' },
    kernel_id: nullableString({ pattern: UUID_PATTERN, description: 'ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.', is_base: false }),
    ramdisk_id: nullableString({ pattern: UUID_PATTERN, description: 'ID of image stored in Glance that should be used as the ramdisk when booting an AMI-style image.', is_base: false }),
    instance_uuid: { type: 'string', description: 'Metadata which can be used to record which instance this image is associated with.', is_base: false },
    architecture: { type: 'string', description: 'Operating system architecture as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html', is_base: false },
    os_distro: { type: 'string', description: 'Common name of operating system distribution as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html', is_base: false },
    os_version: { type: 'string', description: 'Operating system version as specified by the distributor.', is_base: false },
    ...CATALOG_SCHEMA_PROPERTIES,
  },
  links: [
    { rel: 'self', href: '{self}' },
    { rel: 'enclosure', href: '{file}' },
    { rel: 'describedby', href: '{schema}' },
  ],
} as const;

export const IMAGES_SCHEMA = {
  name: 'images',
  properties: {
    images: { type: 'array', items: IMAGE_SCHEMA },
    schema: { type: 'string' },
    first: { type: 'string' },
    next: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
} as const;

export const MEMBER_SCHEMA = {
  name: 'member',
  properties: {
    member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
    image_id: { type: 'string', pattern: UUID_PATTERN, description: 'An identifier for the image' },
    created_at: { type: 'string', description: 'Date and time of image member creation' },
    updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
    status: { type: 'string', enum: [...MEMBER_STATUSES], description: 'The status of this image member' },
    schema: { type: 'string', readOnly: true },
  },
} as const;

export const MEMBERS_SCHEMA = {
  name: 'members',
  properties: {
    members: { type: 'array', items: MEMBER_SCHEMA },
    schema: { type: 'string' },
  },
  links: [{ rel: 'describedby', href: '{schema}' }],
} as const;
