/** The image catalog: the only place image SQL lives. Same code on SQLite and PostgreSQL. */
import { type Kysely, SqliteAdapter } from 'kysely';
import type { DiskSpec } from '../../domain/catalog.js';
import { ConflictError } from '../../domain/errors.js';
import type { Image, ImageStatus } from '../../domain/image.js';
import { type ImageListQuery, INVISIBLE_STATUSES } from '../../domain/image-query.js';
import type { ImageCatalog, ImageChanges } from '../../services/ports.js';
import type { Dialect } from '../database.js';
import { GroupCommit } from '../group-commit.js';
import { insertRow } from '../row-insert.js';
import type { Database, ImagesTable } from '../schema.js';
import { selectImagePage } from './image-list.query.js';
import { changedColumns, fromRow, toRow } from './image-row.mapper.js';
import { isUniqueViolation } from './unique-violation.js';


export class ImageRepository implements ImageCatalog {
  /** Lists are planned a little differently per dialect (see image-list.query.ts). */
  private readonly dialect: Dialect;
  /** Creates arriving together commit together on SQLite (see group-commit.ts). */
  private readonly creates: GroupCommit<Database>;

  constructor(private readonly db: Kysely<Database>) {
    this.dialect = db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
    this.creates = new GroupCommit(db, this.dialect === 'sqlite');
  }

  /** Inserts the image with its tags and properties; ConflictError when the id was ever used. */
  async create(image: Image): Promise<void> {
    await this.creates.run(async (trx) => {
      try {
        await insertRow(trx, 'images', toRow(image));
      } catch (err) {
        // Deleted rows stay, so this also refuses the id of a deleted image, as Glance does.
        if (isUniqueViolation(err)) throw new ConflictError(`Image ID ${image.id} already exists!`, { cause: err, reason: 'image.duplicate_id' });
        throw err;
      }
      await this.insertTags(trx, image.id, image.tags);
      await this.insertProperties(trx, image.id, image.properties);
      await this.insertDisks(trx, image.id, image.catalog.disks);
    });
  }

  /** Deleted and pending_delete images are gone unless includeDeleted. */
  async get(id: string, options: { includeDeleted?: boolean } = {}): Promise<Image | undefined> {
    let query = this.db.selectFrom('images').selectAll().where('id', '=', id);
    if (!options.includeDeleted) query = query.where('status', 'not in', INVISIBLE_STATUSES);
    const row = await query.executeTakeFirst();
    return row && (await this.hydrate(this.db, [row]))[0];
  }

  async list(query: ImageListQuery): Promise<Image[]> {
    if (query.limit <= 0) return [];
    return this.hydrate(this.db, await selectImagePage(this.db, this.dialect, query).execute());
  }

  /**
   * Compare-and-set: changes the image only if it exists, is not deleted and (when given) its
   * status is one of condition.status. Returns the image as changed, or undefined.
   */
  async update(id: string, changes: ImageChanges, condition: { status?: ImageStatus[] } = {}): Promise<Image | undefined> {
    if (condition.status?.length === 0) return undefined;
    return this.db.transaction().execute(async (trx) => {
      let update = trx.updateTable('images').set(changedColumns(changes)).where('id', '=', id).where('deleted_at', 'is', null);
      if (condition.status) update = update.where('status', 'in', condition.status);
      const result = await update.executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      if (changes.tags) {
        await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
        await this.insertTags(trx, id, changes.tags);
      }
      const { set = {}, remove = [] } = changes.properties ?? {};
      const names = [...Object.keys(set), ...remove];
      if (names.length > 0) await trx.deleteFrom('image_properties').where('image_id', '=', id).where('name', 'in', names).execute();
      await this.insertProperties(trx, id, set);
      if (changes.catalog) {
        await trx.deleteFrom('image_disks').where('image_id', '=', id).execute();
        await this.insertDisks(trx, id, changes.catalog.disks);
      }
      const row = await trx.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return (await this.hydrate(trx, [row]))[0];
    });
  }

  /** Adds the tag (nothing happens if present) and bumps updated_at; false when the image is gone. */
  async addTag(id: string, tag: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const touched = await trx.updateTable('images').set({ updated_at: now.getTime() })
        .where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (touched.numUpdatedRows === 0n) return false;
      await trx.insertInto('image_tags').values({ image_id: id, value: tag }).onConflict((oc) => oc.doNothing()).execute();
      return true;
    });
  }

  /** Removes the tag and bumps updated_at; false when the tag was absent (or the image is gone). */
  async removeTag(id: string, tag: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('image_tags').where('image_id', '=', id).where('value', '=', tag).executeTakeFirst();
      if (removed.numDeletedRows === 0n) return false;
      await trx.updateTable('images').set({ updated_at: now.getTime() }).where('id', '=', id).execute();
      return true;
    });
  }

  /**
   * Soft delete: the row stays with status deleted, so its id is never handed out again; its
   * tags, properties, members and disk rows go. Returns the image as it was (its data is the
   * caller's to delete), or undefined when it is absent or already deleted.
   */
  async markDeleted(id: string, now: Date): Promise<Image | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('images').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (!row) return undefined;
      const [image] = await this.hydrate(trx, [row]);
      // Guarded again: on PostgreSQL a concurrent delete may have won since the read.
      const done = await trx.updateTable('images').set({ status: 'deleted', deleted_at: now.getTime(), updated_at: now.getTime() })
        .where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (done.numUpdatedRows === 0n) return undefined;
      await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_properties').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_members').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_disks').where('image_id', '=', id).execute();
      return image;
    });
  }

  /** Uploads whose heartbeat stopped before the cutoff (their node died) go back to queued. */
  async requeueStaleUploads(cutoff: Date, now: Date): Promise<number> {
    const result = await this.db.updateTable('images').set({ status: 'queued', updated_at: now.getTime() })
      .where('status', '=', 'saving').where('updated_at', '<', cutoff.getTime()).where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Images of the owner that are not deleted (for quotas). */
  async countByOwner(owner: string): Promise<number> {
    const row = await this.db.selectFrom('images').select((eb) => eb.fn.countAll().as('count'))
      .where('owner', '=', owner).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** One multi-row insert; duplicates are dropped (a tag is a set member, and would break the key). */
  private async insertTags(db: Kysely<Database>, id: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await db.insertInto('image_tags').values([...new Set(tags)].map((value) => ({ image_id: id, value }))).execute();
  }

  private async insertProperties(db: Kysely<Database>, id: string, properties: Record<string, string>): Promise<void> {
    const entries = Object.entries(properties);
    if (entries.length === 0) return;
    await db.insertInto('image_properties').values(entries.map(([name, value]) => ({ image_id: id, name, value }))).execute();
  }

  /**
   * The disks as rows for list filters; images.imago_disks, written with them in the same
   * transaction, stays what reads return.
   */
  private async insertDisks(db: Kysely<Database>, id: string, disks: readonly DiskSpec[]): Promise<void> {
    if (disks.length === 0) return;
    await db.insertInto('image_disks').values(disks.map((d, position) => ({
      image_id: id, position, name: d.name, role: d.role, size_gb: d.size_gb, format: d.format, bus: d.bus,
    }))).execute();
  }

  /** Adds tags and properties to a page of rows: one query each, whatever the page size. */
  private async hydrate(db: Kysely<Database>, rows: ImagesTable[]): Promise<Image[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [tags, properties] = await Promise.all([
      db.selectFrom('image_tags').select(['image_id', 'value']).where('image_id', 'in', ids).orderBy('value').execute(),
      db.selectFrom('image_properties').select(['image_id', 'name', 'value']).where('image_id', 'in', ids).orderBy('name').execute(),
    ]);
    const tagsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const t of tags) tagsOf.get(t.image_id)!.push(t.value);
    const propertiesOf = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
    for (const p of properties) propertiesOf.get(p.image_id)![p.name] = p.value;
    return rows.map((row) => fromRow(row, tagsOf.get(row.id)!, propertiesOf.get(row.id)!));
  }
}
