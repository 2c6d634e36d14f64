/**
 * The disks an image describes, one row each (position: the index in imago_disks, 0…n-1), so lists can filter on them (role, bus, format,
 * how many) with indexes on both dialects. The imago_disks JSON column stays what reads return;
 * the image repository writes both in one transaction. Existing disks are copied over here.
 */
import type { Kysely } from 'kysely';

/** Images read per round, so a large catalog is not held in memory at once. */
const IMAGE_BATCH = 500;
/** Disk rows per insert: 7 parameters each, well under SQLite's bound-parameter limit. */
const ROW_BATCH = 100;

/** The tables as this migration sees them (later migrations may change schema.ts). */
interface Tables {
  images: { id: string; imago_disks: string | null; deleted_at: number | null };
  image_disks: { image_id: string; position: number; name: string; role: string; size_gb: number; format: string; bus: string };
}

/** The disk document as 0005's images.imago_disks holds it (validated when it was written). */
interface DiskDocument { name: string; role: string; size_gb: number; format: string; bus: string }

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as Kysely<Tables>;
  await db.schema
    .createTable('image_disks')
    .addColumn('image_id', 'varchar(36)', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('size_gb', 'bigint', (c) => c.notNull())
    .addColumn('format', 'varchar(16)', (c) => c.notNull())
    .addColumn('bus', 'varchar(16)', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_disks_pk', ['image_id', 'position'])
    .execute();
  // "Which images have a disk with this value"; the primary key answers per image. The count
  // filter asks "a disk at position n-1 and none at n" (positions run 0…n-1), hence position.
  for (const column of ['role', 'bus', 'format', 'position']) {
    await db.schema.createIndex(`image_disks_${column}_idx`).on('image_disks').columns([column, 'image_id']).execute();
  }

  // Only images not deleted: deleting an image drops its disk rows (ImageRepository.markDeleted).
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('images').select(['id', 'imago_disks'])
      .where('imago_disks', 'is not', null).where('deleted_at', 'is', null).where('id', '>', after)
      .orderBy('id').limit(IMAGE_BATCH).execute();
    if (rows.length === 0) break;
    const disks = rows.flatMap((row) => (JSON.parse(row.imago_disks!) as DiskDocument[]).map((d, position) => ({
      image_id: row.id, position, name: d.name, role: d.role, size_gb: d.size_gb, format: d.format, bus: d.bus,
    })));
    for (let i = 0; i < disks.length; i += ROW_BATCH) await db.insertInto('image_disks').values(disks.slice(i, i + ROW_BATCH)).execute();
    after = rows[rows.length - 1]!.id;
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('image_disks').execute();
}
