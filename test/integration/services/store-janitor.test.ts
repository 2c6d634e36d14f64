/** Crash clean-up against a real SQLite catalog and a real file store. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Catalog } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import type { Image } from '../../../src/domain/image.js';
import { StoreJanitor } from '../../../src/services/store-janitor.service.js';
import { FsDriver } from '../../../src/storage/fs.driver.js';
import { StoreRegistry } from '../../../src/storage/store-registry.js';
import { DEFAULT_CATALOG } from '../../../src/domain/catalog.js';

let dir: string;
let catalog: Catalog;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imago-janitor-'));
  catalog = await openDatabase(`sqlite:${join(dir, 'catalog.db')}`);
  await migrateToLatest(catalog.db);
});
after(async () => {
  await catalog?.close();
  await rm(dir, { recursive: true, force: true });
});

function image(id: string, status: Image['status'], updatedAt: Date, withData: boolean): Image {
  return {
    id, name: id, status, visibility: 'private', protected: false, osHidden: false, owner: 'p', diskFormat: 'raw',
    containerFormat: 'bare', minDisk: 0, minRam: 0, size: withData ? 4 : null, virtualSize: null, checksum: null,
    osHashAlgo: null, osHashValue: null, location: withData ? { store: 'local', key: `images/${id}` } : null,
    createdAt: updatedAt, updatedAt, tags: [], properties: {}, catalog: DEFAULT_CATALOG,
  };
}

describe('StoreJanitor', () => {
  it('requeues dead uploads, removes old staging files and orphaned objects, and keeps live data', async () => {
    const repo = new ImageRepository(catalog.db);
    const store = new FsDriver({ name: 'local', root: join(dir, 'store') });
    const now = new Date();
    const longAgo = new Date(now.getTime() - 60 * 60 * 1000);
    const ids = {
      live: '00000000-0000-4000-8000-000000000001',
      dead: '00000000-0000-4000-8000-000000000002',
      uploading: '00000000-0000-4000-8000-000000000003',
      deleted: '00000000-0000-4000-8000-000000000004',
      unknown: '00000000-0000-4000-8000-000000000005',
    };
    await repo.create(image(ids.live, 'active', now, true));
    await repo.create(image(ids.dead, 'saving', longAgo, false));
    await repo.create(image(ids.uploading, 'saving', now, false));
    await repo.create(image(ids.deleted, 'active', now, true));
    await repo.markDeleted(ids.deleted, now);
    for (const id of [ids.live, ids.deleted, ids.unknown]) await store.put(`images/${id}`, Buffer.from('data'));
    await mkdir(join(dir, 'store', 'staging'), { recursive: true });
    const oldStaged = join(dir, 'store', 'staging', 'old');
    const newStaged = join(dir, 'store', 'staging', 'new');
    await writeFile(oldStaged, 'partial');
    await writeFile(newStaged, 'partial');
    await utimes(oldStaged, longAgo, longAgo);

    const report = await new StoreJanitor(repo, new StoreRegistry(store), { now: () => now }).run();

    assert.deepEqual(report, { requeued: 1, stagingRemoved: 1, orphansRemoved: 2 });
    assert.equal((await repo.get(ids.dead))?.status, 'queued');
    assert.equal((await repo.get(ids.uploading))?.status, 'saving', 'a live upload is left alone');
    const keys: string[] = [];
    for await (const key of store.list('images/')) keys.push(key);
    assert.deepEqual(keys, [`images/${ids.live}`]);
  });
});
