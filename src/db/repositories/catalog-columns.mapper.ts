/** Converts the catalog fields of an image to and from their columns (JSON text, epoch ms). */
import { nextTransitionAt, type CatalogFields, type DeprecationState, type ImageKind } from '../../domain/catalog.js';
import type { ImagesTable } from '../schema.js';

export type CatalogColumns = Pick<ImagesTable,
  | 'imago_kind' | 'imago_family' | 'imago_version' | 'imago_base_image_id' | 'imago_source' | 'imago_manifest' | 'imago_disks'
  | 'imago_deprecation_state' | 'imago_replacement_id' | 'imago_deprecated_at' | 'imago_obsolete_at' | 'imago_deleted_at' | 'imago_transition_at'>;

const ms = (date: Date | null): number | null => (date === null ? null : date.getTime());
const date = (value: number | null): Date | null => (value === null ? null : new Date(value));

/**
 * The columns an image update writes: everything but the deprecation, which changes only by
 * compare-and-set on its state (CatalogRepository.setDeprecation), so an update that read the
 * image before a scheduled transition cannot undo it.
 */
export function catalogFieldColumns(c: CatalogFields): Omit<CatalogColumns, DeprecationColumn> {
  return {
    imago_kind: c.kind,
    imago_family: c.family,
    imago_version: c.version,
    imago_base_image_id: c.baseImageId,
    imago_source: c.source === null ? null : JSON.stringify(c.source),
    imago_manifest: c.manifest === null ? null : JSON.stringify(c.manifest),
    imago_disks: c.disks.length === 0 ? null : JSON.stringify(c.disks),
  };
}

type DeprecationColumn = 'imago_deprecation_state' | 'imago_replacement_id' | 'imago_deprecated_at' | 'imago_obsolete_at' | 'imago_deleted_at' | 'imago_transition_at';

/** Every catalog column, for a new image. */
export function catalogColumns(c: CatalogFields): CatalogColumns {
  const d = c.deprecation;
  return {
    ...catalogFieldColumns(c),
    imago_deprecation_state: d.state,
    imago_replacement_id: d.replacement,
    imago_deprecated_at: ms(d.deprecatedAt),
    imago_obsolete_at: ms(d.obsoleteAt),
    imago_deleted_at: ms(d.deletedAt),
    imago_transition_at: ms(nextTransitionAt(d)),
  };
}

export function catalogFields(row: CatalogColumns): CatalogFields {
  return {
    kind: row.imago_kind as ImageKind,
    family: row.imago_family,
    version: row.imago_version,
    baseImageId: row.imago_base_image_id,
    source: row.imago_source === null ? null : JSON.parse(row.imago_source),
    manifest: row.imago_manifest === null ? null : JSON.parse(row.imago_manifest),
    disks: row.imago_disks === null ? [] : JSON.parse(row.imago_disks),
    deprecation: {
      state: row.imago_deprecation_state as DeprecationState,
      replacement: row.imago_replacement_id,
      deprecatedAt: date(row.imago_deprecated_at),
      obsoleteAt: date(row.imago_obsolete_at),
      deletedAt: date(row.imago_deleted_at),
    },
  };
}
