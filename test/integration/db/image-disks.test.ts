/**
 * The image_disks side table: list filters on disks, kept in step with imago_disks on create,
 * update and delete, and filled from existing images by its migration — on every dialect.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Kysely, Migrator } from 'kysely';
import { openDatabase } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import * as images0001 from '../../../src/db/migrations/0001-images.js';
import * as identity0002 from '../../../src/db/migrations/0002-identity.js';
import * as quotas0003 from '../../../src/db/migrations/0003-quotas.js';
import * as metadefs0004 from '../../../src/db/migrations/0004-metadefs.js';
import * as catalog0005 from '../../../src/db/migrations/0005-catalog.js';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import type { Database } from '../../../src/db/schema.js';
import { DEFAULT_CATALOG, type DiskSpec } from '../../../src/domain/catalog.js';
import type { Image } from '../../../src/domain/image.js';
import type { AttributeFilter } from '../../../src/domain/image-query.js';
import { createTestDatabase, forEachDialect } from '../../support/databases.js';
import { at, listQuery, makeImage } from './image-fixtures.js';

const disk = (name: string, role: DiskSpec['role'], bus: DiskSpec['bus'], format = 'qcow2', size_gb = 10): DiskSpec => ({ name, role, size_gb, format, bus });
const withDisks = (name: string, disks: DiskSpec[], overrides: Partial<Image> = {}): Image =>
  makeImage({ name, catalog: { ...DEFAULT_CATALOG, disks }, ...overrides });

/** Named images; each test states which names a query returns (newest first). */
const FIXTURE: Image[] = [
  withDisks('none', [], { createdAt: at(10) }),
  withDisks('boot-only', [disk('root', 'boot', 'virtio')], { createdAt: at(20) }),
  withDisks('boot-and-data', [disk('root', 'boot', 'virtio'), disk('data', 'data', 'scsi', 'raw', 100)], { createdAt: at(30) }),
  withDisks('three', [disk('root', 'boot', 'nvme', 'raw'), disk('swap', 'swap', 'virtio'), disk('seed', 'config', 'ide', 'iso', 0)], { createdAt: at(40), owner: 'other' }),
];

/** The image_disks rows of an image, in position order. */
async function diskRows(db: Kysely<Database>, id: string) {
  return db.selectFrom('image_disks').select(['position', 'name', 'role', 'size_gb', 'format', 'bus'])
    .where('image_id', '=', id).orderBy('position').execute();
}

/** The columns of an image row as migration 0005 left them, that a test sets. */
interface OldImage { id: string; status: string; visibility: string; created_at: number; updated_at: number; imago_disks: string | null; deleted_at: number | null }

const rowsOf = (disks: DiskSpec[]) => disks.map((d, position) => ({ position, name: d.name, role: d.role, size_gb: d.size_gb, format: d.format, bus: d.bus }));

forEachDialect((dialect, catalog) => {
  const repo = () => new ImageRepository(catalog().db);

  before(async () => {
    for (const image of FIXTURE) await repo().create(image);
  });

  const names = async (...filters: AttributeFilter[]) => (await repo().list(listQuery({ filters }))).map((i) => i.name);
  const fixtureIds = () => FIXTURE.map((i) => i.id);
  /** Only the fixture's images, so other tests' images in the shared database do not show. */
  const among = (...filters: AttributeFilter[]) => names({ field: 'id', op: 'in', values: fixtureIds() }, ...filters);

  it('filters by a disk role, bus or format, as an equality or an in: list', async () => {
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'eq', value: 'boot' }), ['three', 'boot-and-data', 'boot-only']);
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'eq', value: 'data' }), ['boot-and-data']);
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'in', values: ['data', 'swap'] }), ['three', 'boot-and-data']);
    assert.deepEqual(await among({ field: 'imago_disk_bus', op: 'eq', value: 'virtio' }), ['three', 'boot-and-data', 'boot-only']);
    assert.deepEqual(await among({ field: 'imago_disk_bus', op: 'in', values: ['ide', 'scsi'] }), ['three', 'boot-and-data']);
    assert.deepEqual(await among({ field: 'imago_disk_format', op: 'eq', value: 'iso' }), ['three']);
    assert.deepEqual(await among({ field: 'imago_disk_format', op: 'eq', value: 'vmdk' }), []);
  });

  it('applies several disk filters to one and the same disk', async () => {
    // boot-and-data has a boot disk and a scsi disk, but no boot disk on scsi.
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'eq', value: 'boot' }, { field: 'imago_disk_bus', op: 'eq', value: 'scsi' }), []);
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'eq', value: 'data' }, { field: 'imago_disk_bus', op: 'eq', value: 'scsi' }), ['boot-and-data']);
    assert.deepEqual(await among(
      { field: 'imago_disk_role', op: 'eq', value: 'boot' },
      { field: 'imago_disk_format', op: 'eq', value: 'raw' },
      { field: 'imago_disk_bus', op: 'in', values: ['nvme', 'virtio'] },
    ), ['three']);
  });

  it('filters by the exact number of disks, none included', async () => {
    assert.deepEqual(await among({ field: 'imago_disk_count', op: 'eq', value: 0 }), ['none']);
    assert.deepEqual(await among({ field: 'imago_disk_count', op: 'eq', value: 1 }), ['boot-only']);
    assert.deepEqual(await among({ field: 'imago_disk_count', op: 'eq', value: 3 }), ['three']);
    assert.deepEqual(await among({ field: 'imago_disk_count', op: 'eq', value: 17 }), []);
  });

  it('combines disk filters with the other filters and the default visibility rules', async () => {
    assert.deepEqual(await among({ field: 'imago_disk_role', op: 'eq', value: 'boot' }, { field: 'owner', op: 'eq', value: 'other' }), ['three']);
    assert.deepEqual(await among({ field: 'imago_disk_count', op: 'eq', value: 2 }, { field: 'imago_disk_bus', op: 'eq', value: 'virtio' }), ['boot-and-data']);
    const viewer = { isAdmin: false, projectId: 'project-a' };
    const seen = await repo().list(listQuery({ viewer, visibility: undefined, filters: [{ field: 'imago_disk_role', op: 'eq', value: 'boot' }] }));
    assert.deepEqual(seen.filter((i) => fixtureIds().includes(i.id)).map((i) => i.name), ['boot-and-data', 'boot-only']);
  });

  it('writes one row per disk on create, in document order, and reads the document back unchanged', async () => {
    const image = FIXTURE[3]!;
    assert.deepEqual(await diskRows(catalog().db, image.id), rowsOf(image.catalog.disks));
    assert.deepEqual((await repo().get(image.id))!.catalog.disks, image.catalog.disks);
    assert.deepEqual(await diskRows(catalog().db, FIXTURE[0]!.id), []);
  });

  it('keeps the rows in step when an update replaces, clears or leaves the disks', async () => {
    const image = withDisks('changing', [disk('root', 'boot', 'virtio')], { owner: 'changing' });
    await repo().create(image);
    const replaced = [disk('root', 'boot', 'sata', 'vmdk'), disk('logs', 'data', 'usb', 'raw', 5)];
    await repo().update(image.id, { updatedAt: at(1), catalog: { ...image.catalog, disks: replaced } });
    assert.deepEqual(await diskRows(catalog().db, image.id), rowsOf(replaced));
    assert.deepEqual(await names({ field: 'owner', op: 'eq', value: 'changing' }, { field: 'imago_disk_bus', op: 'eq', value: 'usb' }), ['changing']);

    // An update that does not touch the catalog leaves the disks alone.
    await repo().update(image.id, { updatedAt: at(2), name: 'renamed' });
    assert.deepEqual(await diskRows(catalog().db, image.id), rowsOf(replaced));

    // A compare-and-set that does not apply changes nothing.
    await repo().update(image.id, { updatedAt: at(3), catalog: { ...image.catalog, disks: [] } }, { status: ['killed'] });
    assert.deepEqual(await diskRows(catalog().db, image.id), rowsOf(replaced));

    await repo().update(image.id, { updatedAt: at(4), catalog: { ...image.catalog, disks: [] } });
    assert.deepEqual(await diskRows(catalog().db, image.id), []);
    assert.deepEqual(await names({ field: 'owner', op: 'eq', value: 'changing' }, { field: 'imago_disk_count', op: 'eq', value: 0 }), ['renamed']);
  });

  it('drops the rows when the image is deleted, and cascades when its row goes', async () => {
    const deleted = withDisks('deleted', [disk('root', 'boot', 'virtio')]);
    const purged = withDisks('purged', [disk('root', 'boot', 'virtio')]);
    await repo().create(deleted);
    await repo().create(purged);
    await repo().markDeleted(deleted.id, at(5));
    assert.deepEqual(await diskRows(catalog().db, deleted.id), []);
    await catalog().db.deleteFrom('images').where('id', '=', purged.id).execute();
    assert.deepEqual(await diskRows(catalog().db, purged.id), []);
  });

  it('copies the disks of existing images when the migration runs', async () => {
    const database = await createTestDatabase(dialect);
    const opened = await openDatabase(database.url);
    try {
      // The catalog as it was before image_disks, with images written then.
      const before0006 = { '0001-images': images0001, '0002-identity': identity0002, '0003-quotas': quotas0003, '0004-metadefs': metadefs0004, '0005-catalog': catalog0005 };
      const { error } = await new Migrator({ db: opened.db, provider: { getMigrations: async () => before0006 } }).migrateToLatest();
      assert.ifError(error);
      const two = [disk('root', 'boot', 'virtio'), disk('data', 'data', 'scsi', 'raw', 2 ** 40)];
      const row = (id: string, disks: DiskSpec[] | null, deleted = false): OldImage => ({
        id, status: deleted ? 'deleted' : 'active', visibility: 'public', created_at: 1, updated_at: 1,
        imago_disks: disks && JSON.stringify(disks), deleted_at: deleted ? 2 : null,
      });
      const old = [
        row('a0000000-0000-4000-8000-000000000001', two),
        row('a0000000-0000-4000-8000-000000000002', null),
        row('a0000000-0000-4000-8000-000000000003', [disk('root', 'boot', 'ide')], true),
      ];
      // More images than one round of the copy reads.
      const many = Array.from({ length: 1200 }, (_, i) => row(`b${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`, [disk('root', 'boot', 'nvme')]));
      const then = opened.db as unknown as Kysely<{ images: OldImage }>;
      for (const rows of [old, ...Array.from({ length: 12 }, (_, i) => many.slice(i * 100, i * 100 + 100))]) {
        await then.insertInto('images').values(rows).execute();
      }

      await migrateToLatest(opened.db);
      assert.deepEqual(await diskRows(opened.db, old[0]!.id), rowsOf(two));
      assert.deepEqual(await diskRows(opened.db, old[1]!.id), []);
      assert.deepEqual(await diskRows(opened.db, old[2]!.id), [], 'deleted images are not copied');
      const nvme = await opened.db.selectFrom('image_disks').select((eb) => eb.fn.countAll<number>().as('n')).where('bus', '=', 'nvme').executeTakeFirstOrThrow();
      assert.equal(Number(nvme.n), many.length);
      // The images read back through the repository answer the new filters.
      const listed = await new ImageRepository(opened.db).list(listQuery({ filters: [{ field: 'imago_disk_role', op: 'eq', value: 'data' }] }));
      assert.deepEqual(listed.map((i) => i.id), [old[0]!.id]);
    } finally {
      await opened.close();
      await database.drop();
    }
  });
});
