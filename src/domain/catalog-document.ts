/**
 * The catalog fields on the wire: Imago's base fields of the image document (prefixed
 * `imago_` so they cannot meet Glance's names or common custom properties), their entries in
 * the image schema clients read, and the deeper validation of the manifest and the disks.
 */
import { Ajv, type ErrorObject } from 'ajv';
import {
  DISK_BUSES, DISK_ROLES, IMAGE_KINDS, SOURCE_TYPES,
  type CapsuleManifest, type CatalogFields, type Deprecation, type DiskSpec, type ImageKind, type ImageSource,
} from './catalog.js';
import { BadRequestError } from './errors.js';
import { DISK_FORMATS } from './image.js';

const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
/** Lower-case, as GCE names families, so `Debian-12` and `debian-12` cannot be two lines. */
export const FAMILY_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';
const MAX_DISKS = 16;

/** Set by the deprecation endpoint only, so its rules (future times, usable replacement) hold. */
export const CATALOG_READ_ONLY_FIELDS = ['imago_deprecation'] as const;
export const CATALOG_SETTABLE_FIELDS = [
  'imago_kind', 'imago_family', 'imago_version', 'imago_base_image_id', 'imago_source', 'imago_manifest', 'imago_disks',
] as const;

/** The fields' entries in /v2/schemas/image: types only; the shapes are checked below with clear messages. */
export const CATALOG_SCHEMA_PROPERTIES = {
  imago_kind: { type: 'string', enum: [...IMAGE_KINDS], description: 'Imago: standard (operator-published OS base), capsule (packaged application) or custom (user-made)' },
  imago_family: { type: ['null', 'string'], pattern: FAMILY_PATTERN, description: 'Imago: the image family (line of versions) this image belongs to' },
  imago_version: { type: ['null', 'string'], maxLength: 64, description: 'Imago: the version of this image within its family' },
  imago_base_image_id: { type: ['null', 'string'], pattern: UUID_PATTERN, description: 'Imago: the image this one was built on' },
  imago_source: { type: ['null', 'object'], description: 'Imago: how the image was made: {"type": upload|import|snapshot|build, "ref": URL, instance or build id}' },
  imago_manifest: { type: ['null', 'object'], description: 'Imago: a capsule\'s manifest (application, components, default configuration)' },
  imago_disks: { type: 'array', items: { type: 'object' }, description: 'Imago: the disks the image describes (name, role, size_gb, format, bus)' },
  imago_deprecation: { type: 'object', readOnly: true, description: 'Imago: deprecation state, replacement and schedule (set through /imago/v1/images/{id}/deprecation)' },
} as const;

const ajv = new Ajv({ strict: false, allErrors: false });

const validateSource = ajv.compile({
  type: 'object', additionalProperties: false, required: ['type'],
  properties: { type: { enum: [...SOURCE_TYPES] }, ref: { type: ['null', 'string'], maxLength: 2048 } },
});

const validateManifest = ajv.compile({
  type: 'object', additionalProperties: false, required: ['application'],
  properties: {
    application: {
      type: 'object', additionalProperties: false, required: ['name', 'version'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, version: { type: 'string', minLength: 1, maxLength: 64 } },
    },
    base_image_id: { type: 'string', pattern: UUID_PATTERN },
    components: {
      type: 'array', maxItems: 1000,
      items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, version: { type: 'string', maxLength: 64 } } },
    },
    config: {
      type: 'object', additionalProperties: false,
      properties: {
        ports: {
          type: 'array', maxItems: 256,
          items: { type: 'object', additionalProperties: false, required: ['port'], properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, protocol: { enum: ['tcp', 'udp'] } } },
        },
        environment: { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 }, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
        user_data: { type: 'string', maxLength: 65535 },
      },
    },
  },
});

const validateDisks = ajv.compile({
  type: 'array', maxItems: MAX_DISKS,
  items: {
    type: 'object', additionalProperties: false, required: ['name', 'role', 'size_gb', 'format', 'bus'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' },
      role: { enum: [...DISK_ROLES] },
      size_gb: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 },
      format: { enum: [...DISK_FORMATS] },
      bus: { enum: [...DISK_BUSES] },
    },
  },
});

function describe(what: string, error: ErrorObject | undefined): string {
  if (!error) return `${what} is invalid`;
  const where = error.instancePath ? `${what}${error.instancePath.replace(/\//g, '.')}` : what;
  const allowed = error.keyword === 'enum' ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  const extra = error.keyword === 'additionalProperties' ? ` ('${(error.params as { additionalProperty: string }).additionalProperty}')` : '';
  return `${where} ${error.message ?? 'is invalid'}${allowed}${extra}`;
}

export function deprecationDocument(d: Deprecation): Record<string, unknown> {
  const at = (date: Date | null) => (date === null ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return { state: d.state, replacement: d.replacement, deprecated: at(d.deprecatedAt), obsolete: at(d.obsoleteAt), deleted: at(d.deletedAt) };
}

export type CatalogInput = Omit<CatalogFields, 'deprecation'>;

/**
 * Reads and checks the settable catalog fields of a document already validated against the
 * image schema (so the types are right). Absent fields take the defaults: a custom image
 * made by upload.
 */
export function readCatalogFields(doc: Record<string, unknown>): CatalogInput {
  const kind = (doc.imago_kind as ImageKind | undefined) ?? 'custom';
  const source = (doc.imago_source as ImageSource | null | undefined) ?? null;
  if (source !== null && !validateSource(source)) {
    throw new BadRequestError(describe('imago_source', validateSource.errors?.[0]), { reason: 'catalog.source' });
  }
  const manifest = (doc.imago_manifest as CapsuleManifest | null | undefined) ?? null;
  if (manifest !== null && !validateManifest(manifest)) {
    throw new BadRequestError(`Invalid capsule manifest: ${describe('imago_manifest', validateManifest.errors?.[0])}`, { reason: 'catalog.manifest' });
  }
  if (kind === 'capsule' && manifest === null) {
    throw new BadRequestError('A capsule image needs a manifest (imago_manifest) naming at least its application and version.', { reason: 'catalog.manifest_missing' });
  }
  if (kind !== 'capsule' && manifest !== null) {
    throw new BadRequestError(`Only capsule images carry a manifest; this image is of kind ${kind}.`, { reason: 'catalog.manifest_kind' });
  }
  const disks = (doc.imago_disks as DiskSpec[] | undefined) ?? [];
  if (!validateDisks(disks)) throw new BadRequestError(`Invalid disk list: ${describe('imago_disks', validateDisks.errors?.[0])}`, { reason: 'catalog.disks' });
  const names = new Set(disks.map((d) => d.name));
  if (names.size !== disks.length) throw new BadRequestError('Invalid disk list: disk names must be unique.', { reason: 'catalog.disks' });
  if (disks.filter((d) => d.role === 'boot').length > 1) throw new BadRequestError('Invalid disk list: at most one disk has the boot role.', { reason: 'catalog.disks' });
  let baseImageId = (doc.imago_base_image_id as string | null | undefined)?.toLowerCase() ?? null;
  const manifestBase = manifest?.base_image_id?.toLowerCase();
  if (manifestBase !== undefined) {
    if (baseImageId !== null && baseImageId !== manifestBase) {
      throw new BadRequestError('The manifest\'s base_image_id and imago_base_image_id name different images.', { reason: 'catalog.manifest_base' });
    }
    baseImageId = manifestBase;
  }
  return {
    kind,
    family: (doc.imago_family as string | null | undefined) ?? null,
    version: (doc.imago_version as string | null | undefined) ?? null,
    baseImageId,
    source: source ?? (kind === 'custom' ? { type: 'upload', ref: null } : null),
    manifest,
    disks,
  };
}
