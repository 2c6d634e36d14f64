/**
 * SQL of the catalog features: lineage lookups, families, scheduled deprecation transitions,
 * retention and required-property rules. Image rows themselves are read and written through
 * ImageRepository; this class only touches the catalog columns and tables.
 */
import { type Kysely, SqliteAdapter } from 'kysely';
import { nextTransitionAt, type Deprecation, type DeprecationState, type ImageKind } from '../../domain/catalog.js';
import type { Viewer } from '../../domain/image-query.js';
import type { CatalogStore, FamilyRetention, RequiredPropertiesRule } from '../../services/catalog.ports.js';
import type { Dialect } from '../database.js';
import type { Database } from '../schema.js';
import { selectFamilies } from './image-list.query.js';

export class CatalogRepository implements CatalogStore {
  private readonly dialect: Dialect;

  constructor(private readonly db: Kysely<Database>) {
    this.dialect = db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
  }

  /** Images (not deleted) derived directly from any of `ids`. */
  async children(ids: readonly string[]): Promise<Array<{ id: string; baseImageId: string }>> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('images').select(['id', 'imago_base_image_id'])
      .where('imago_base_image_id', 'in', ids).where('deleted_at', 'is', null).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, baseImageId: r.imago_base_image_id! }));
  }

  /** The base of an image, deleted images included (lineage outlives a forced delete); undefined: unknown id. */
  async baseOf(id: string): Promise<{ baseImageId: string | null; deleted: boolean } | undefined> {
    const row = await this.db.selectFrom('images').select(['imago_base_image_id', 'deleted_at']).where('id', '=', id).executeTakeFirst();
    return row && { baseImageId: row.imago_base_image_id, deleted: row.deleted_at !== null };
  }

  /** Projects owning live images of the family (a family belongs to one project). */
  async familyOwners(family: string): Promise<Array<string | null>> {
    const rows = await this.db.selectFrom('images').select('owner').distinct()
      .where('imago_family', '=', family).where('deleted_at', 'is', null).execute();
    return rows.map((r) => r.owner);
  }

  async families(viewer: Viewer): Promise<Array<{ family: string; versions: number }>> {
    const rows = await selectFamilies(this.db, this.dialect, viewer).execute();
    return rows.map((r) => ({ family: r.imago_family!, versions: Number(r.versions) }));
  }

  /** Ids of images with a scheduled transition due at `now`, oldest first. */
  async dueTransitions(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('images').select('id')
      .where('imago_transition_at', '<=', now.getTime()).where('deleted_at', 'is', null)
      .orderBy('imago_transition_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Sets the deprecation if the image is still in state `from` (compare-and-set, so when two
   * nodes apply the same due transition only one does); false when it was not.
   */
  async setDeprecation(id: string, from: DeprecationState, deprecation: Deprecation, now: Date): Promise<boolean> {
    const next = nextTransitionAt(deprecation);
    const result = await this.db.updateTable('images').set({
      imago_deprecation_state: deprecation.state,
      imago_replacement_id: deprecation.replacement,
      imago_deprecated_at: deprecation.deprecatedAt?.getTime() ?? null,
      imago_obsolete_at: deprecation.obsoleteAt?.getTime() ?? null,
      imago_deleted_at: deprecation.deletedAt?.getTime() ?? null,
      imago_transition_at: next?.getTime() ?? null,
      updated_at: now.getTime(),
    }).where('id', '=', id).where('imago_deprecation_state', '=', from).where('deleted_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async retention(family: string): Promise<FamilyRetention | undefined> {
    const row = await this.db.selectFrom('catalog_family_retention').selectAll().where('family', '=', family).executeTakeFirst();
    return row && { family: row.family, keep: row.keep, action: row.action as FamilyRetention['action'] };
  }

  async retentions(): Promise<FamilyRetention[]> {
    const rows = await this.db.selectFrom('catalog_family_retention').selectAll().orderBy('family').execute();
    return rows.map((row) => ({ family: row.family, keep: row.keep, action: row.action as FamilyRetention['action'] }));
  }

  async setRetention(retention: FamilyRetention, now: Date): Promise<void> {
    const values = { family: retention.family, keep: retention.keep, action: retention.action, updated_at: now.getTime() };
    await this.db.insertInto('catalog_family_retention').values(values)
      .onConflict((oc) => oc.column('family').doUpdateSet({ keep: values.keep, action: values.action, updated_at: values.updated_at }))
      .execute();
  }

  async deleteRetention(family: string): Promise<boolean> {
    const result = await this.db.deleteFrom('catalog_family_retention').where('family', '=', family).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async requiredProperties(): Promise<RequiredPropertiesRule[]> {
    const rows = await this.db.selectFrom('catalog_required_properties').selectAll().orderBy('scope').orderBy('name').execute();
    return rows.map((row) => ({ scope: row.scope as RequiredPropertiesRule['scope'], name: row.name, properties: JSON.parse(row.properties) as string[] }));
  }

  /** The rules that apply to an image of this kind and family. */
  async requiredPropertiesFor(kind: ImageKind, family: string | null): Promise<RequiredPropertiesRule[]> {
    let query = this.db.selectFrom('catalog_required_properties').selectAll();
    query = query.where((eb) => eb.or([
      eb.and([eb('scope', '=', 'kind'), eb('name', '=', kind)]),
      ...(family === null ? [] : [eb.and([eb('scope', '=', 'family'), eb('name', '=', family)])]),
    ]));
    const rows = await query.execute();
    return rows.map((row) => ({ scope: row.scope as RequiredPropertiesRule['scope'], name: row.name, properties: JSON.parse(row.properties) as string[] }));
  }

  async setRequiredProperties(rule: RequiredPropertiesRule, now: Date): Promise<void> {
    const values = { scope: rule.scope, name: rule.name, properties: JSON.stringify(rule.properties), updated_at: now.getTime() };
    await this.db.insertInto('catalog_required_properties').values(values)
      .onConflict((oc) => oc.columns(['scope', 'name']).doUpdateSet({ properties: values.properties, updated_at: values.updated_at }))
      .execute();
  }

  async deleteRequiredProperties(scope: RequiredPropertiesRule['scope'], name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('catalog_required_properties').where('scope', '=', scope).where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
