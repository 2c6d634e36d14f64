/** The image catalog: the only place image SQL lives. Same code on SQLite and PostgreSQL. */
import type { Kysely, Transaction } from 'kysely';
import { ConflictError } from '../../domain/errors.js';
import type { Image, ImageStatus } from '../../domain/image.js';
import type { ImageListQuery } from '../../domain/image-query.js';
import type { ImageCatalog, ImageChanges } from '../../services/ports.js';
import type { Database, ImagesTable } from '../schema.js';
import { effectiveSort, listConditions, sortExpression } from './image-list.query.js';
import { changedColumns, fromRow, toRow } from './image-row.mapper.js';

type Db = Kysely<Database> | Transaction<Database>;

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class ImageRepository implements ImageCatalog {
  constructor(private readonly db: Kysely<Database>) {}

  async create(image: Image): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('images').values(toRow(image)).execute();
        await this.insertTags(trx, image.id, image.tags);
        await this.insertProperties(trx, image.id, image.properties);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`Image ID ${image.id} already exists!`, { cause: err, reason: 'image.duplicate_id' });
      throw err;
    }
  }

  async get(id: string, options: { includeDeleted?: boolean } = {}): Promise<Image | undefined> {
    let query = this.db.selectFrom('images').selectAll().where('id', '=', id);
    if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    return (await this.hydrate(this.db, [row]))[0];
  }

  async list(query: ImageListQuery): Promise<Image[]> {
    let select = this.db.selectFrom('images').selectAll().where((eb) => listConditions(eb, query));
    for (const spec of effectiveSort(query.sort)) select = select.orderBy(sortExpression(spec.key), spec.dir);
    const rows = await select.limit(query.limit).execute();
    return this.hydrate(this.db, rows);
  }

  async update(id: string, changes: ImageChanges, condition: { status?: ImageStatus[] } = {}): Promise<Image | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let update = trx.updateTable('images').set(changedColumns(changes)).where('id', '=', id).where('deleted_at', 'is', null);
      if (condition.status) update = update.where('status', 'in', condition.status);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      if (changes.tags) {
        await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
        await this.insertTags(trx, id, changes.tags);
      }
      if (changes.properties) {
        const names = [...Object.keys(changes.properties.set ?? {}), ...(changes.properties.remove ?? [])];
        if (names.length > 0) await trx.deleteFrom('image_properties').where('image_id', '=', id).where('name', 'in', names).execute();
        await this.insertProperties(trx, id, changes.properties.set ?? {});
      }
      const row = await trx.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return (await this.hydrate(trx, [row]))[0];
    });
  }

  async addTag(id: string, tag: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const touched = await trx.updateTable('images').set({ updated_at: now.getTime() }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (Number(touched.numUpdatedRows) === 0) return false;
      await trx.insertInto('image_tags').values({ image_id: id, value: tag }).onConflict((oc) => oc.doNothing()).execute();
      return true;
    });
  }

  async removeTag(id: string, tag: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('image_tags').where('image_id', '=', id).where('value', '=', tag).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return false;
      await trx.updateTable('images').set({ updated_at: now.getTime() }).where('id', '=', id).execute();
      return true;
    });
  }

  async markDeleted(id: string, now: Date): Promise<Image | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('images').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (!row) return undefined;
      const [image] = await this.hydrate(trx, [row]);
      // The row stays (with status deleted) so its id is never handed out again.
      const done = await trx.updateTable('images').set({ status: 'deleted', deleted_at: now.getTime(), updated_at: now.getTime() })
        .where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return undefined;
      await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_properties').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_members').where('image_id', '=', id).execute();
      return image;
    });
  }

  async requeueStaleUploads(cutoff: Date, now: Date): Promise<number> {
    const result = await this.db.updateTable('images').set({ status: 'queued', updated_at: now.getTime() })
      .where('status', '=', 'saving').where('updated_at', '<', cutoff.getTime()).where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countByOwner(owner: string): Promise<number> {
    const row = await this.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('count'))
      .where('owner', '=', owner).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private async insertTags(db: Db, id: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await db.insertInto('image_tags').values(tags.map((value) => ({ image_id: id, value }))).execute();
  }

  private async insertProperties(db: Db, id: string, properties: Record<string, string>): Promise<void> {
    const entries = Object.entries(properties);
    if (entries.length === 0) return;
    await db.insertInto('image_properties').values(entries.map(([name, value]) => ({ image_id: id, name, value }))).execute();
  }

  /** Adds tags and properties to a page of rows: one query each, whatever the page size. */
  private async hydrate(db: Db, rows: ImagesTable[]): Promise<Image[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [tags, properties] = await Promise.all([
      db.selectFrom('image_tags').select(['image_id', 'value']).where('image_id', 'in', ids).orderBy('value').execute(),
      db.selectFrom('image_properties').select(['image_id', 'name', 'value']).where('image_id', 'in', ids).execute(),
    ]);
    const tagsOf = new Map<string, string[]>();
    for (const t of tags) (tagsOf.get(t.image_id) ?? tagsOf.set(t.image_id, []).get(t.image_id)!).push(t.value);
    const propsOf = new Map<string, Record<string, string>>();
    for (const p of properties) (propsOf.get(p.image_id) ?? propsOf.set(p.image_id, {}).get(p.image_id)!)[p.name] = p.value;
    return rows.map((row) => fromRow(row, tagsOf.get(row.id) ?? [], propsOf.get(row.id) ?? {}));
  }
}
