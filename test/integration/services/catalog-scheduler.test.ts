/** Scheduled deprecation transitions and retention, applied by the scheduler on a fake clock, on a real SQLite catalog. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Catalog } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrator.js';
import { CatalogRepository } from '../../../src/db/repositories/catalog.repository.js';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { MemberRepository } from '../../../src/db/repositories/member.repository.js';
import { QuotaRepository } from '../../../src/db/repositories/quota.repository.js';
import { ACTIVE, DEFAULT_CATALOG, type Deprecation } from '../../../src/domain/catalog.js';
import type { Image } from '../../../src/domain/image.js';
import { Policy } from '../../../src/domain/policy.js';
import { CatalogRules } from '../../../src/services/catalog-rules.js';
import { CatalogScheduler } from '../../../src/services/catalog-scheduler.js';
import { CatalogService } from '../../../src/services/catalog.service.js';
import { ImageService } from '../../../src/services/image.service.js';
import type { Clock } from '../../../src/services/ports.js';
import { QuotaService } from '../../../src/services/quota.service.js';
import { FsDriver } from '../../../src/storage/fs.driver.js';
import { StoreRegistry } from '../../../src/storage/store-registry.js';

class FakeClock implements Clock {
  constructor(public current: Date) {}
  now(): Date { return new Date(this.current); }
  advance(ms: number): void { this.current = new Date(this.current.getTime() + ms); }
}

const T0 = Date.UTC(2030, 0, 1);
const silent = { warn: () => undefined };

let dir: string;
let db: Catalog;
let clock: FakeClock;
let repository: ImageRepository;
let service: CatalogService;

function image(id: string, deprecation: Deprecation, extra: Partial<Image> = {}): Image {
  const now = clock.now();
  return {
    id, name: id, status: 'active', visibility: 'public', protected: false, osHidden: false, owner: 'ops', diskFormat: 'raw',
    containerFormat: 'bare', minDisk: 0, minRam: 0, size: 1, virtualSize: 1, checksum: null, osHashAlgo: null, osHashValue: null,
    location: null, createdAt: now, updatedAt: now, tags: [], properties: {}, catalog: { ...DEFAULT_CATALOG, deprecation }, ...extra,
  };
}

/** A second "node": its own services over the same database, as another process would have. */
function node(): CatalogService {
  const policy = new Policy();
  const stores = new StoreRegistry(new FsDriver({ name: 'local', root: join(dir, 'store') }));
  const members = new MemberRepository(db.db);
  const store = new CatalogRepository(db.db);
  const rules = new CatalogRules(repository, store, policy, clock, members, stores);
  const quotas = new QuotaService(new QuotaRepository(db.db), policy, clock, { image_count_total: -1, image_size_total: -1, image_stage_total: -1, image_count_uploading: -1 });
  const images = new ImageService(repository, policy, clock, { tagQuota: 128, propertyQuota: 128, listLimitDefault: 25, listLimitMax: 1000 }, stores, quotas, members, rules);
  return new CatalogService(images, repository, store, rules, policy, clock);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imago-catalog-scheduler-'));
  db = await openDatabase(`sqlite:${join(dir, 'catalog.db')}`);
  await migrateToLatest(db.db);
  clock = new FakeClock(new Date(T0));
  repository = new ImageRepository(db.db);
  service = node();
});
after(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const stateOf = async (id: string) => (await repository.get(id, { includeDeleted: true }))?.catalog.deprecation.state;
const statusOf = async (id: string) => (await repository.get(id, { includeDeleted: true }))?.status;

describe('CatalogScheduler', () => {
  it('applies each transition when its time comes, and a due delete deletes the image', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await repository.create(image(id, { ...ACTIVE, deprecatedAt: new Date(T0 + 1000), obsoleteAt: new Date(T0 + 2000), deletedAt: new Date(T0 + 3000) }));
    const scheduler = new CatalogScheduler(service, 60_000, silent);
    await scheduler.tick();
    assert.equal(await stateOf(id), 'active');
    clock.advance(1000);
    await scheduler.tick();
    assert.equal(await stateOf(id), 'deprecated');
    clock.advance(1500);
    await scheduler.tick();
    assert.equal(await stateOf(id), 'obsolete');
    clock.advance(1000);
    await scheduler.tick();
    assert.equal(await stateOf(id), 'deleted');
    assert.equal(await statusOf(id), 'deleted');
  });

  it('jumps straight to the latest due state when several came due between passes', async () => {
    const id = '00000000-0000-4000-8000-000000000002';
    await repository.create(image(id, { ...ACTIVE, deprecatedAt: new Date(clock.now().getTime() + 10), obsoleteAt: new Date(clock.now().getTime() + 20) }));
    clock.advance(10_000);
    await new CatalogScheduler(service, 60_000, silent).tick();
    assert.equal(await stateOf(id), 'obsolete');
  });

  it('stops a due delete at obsolete for a protected image', async () => {
    const id = '00000000-0000-4000-8000-000000000003';
    await repository.create(image(id, { ...ACTIVE, state: 'obsolete', deletedAt: new Date(clock.now().getTime() + 10) }, { protected: true }));
    clock.advance(100);
    await new CatalogScheduler(service, 60_000, silent).tick();
    assert.equal(await stateOf(id), 'obsolete');
    assert.equal(await statusOf(id), 'active');
    assert.equal((await repository.get(id))?.catalog.deprecation.deletedAt, null, 'the refused delete is not retried forever');
  });

  it('is safe when two nodes run the same pass at once: each transition applies once', async () => {
    const ids = ['00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000005'];
    for (const id of ids) await repository.create(image(id, { ...ACTIVE, deprecatedAt: new Date(clock.now().getTime() + 10) }));
    clock.advance(100);
    const before = await repository.get(ids[0]!);
    await Promise.all([new CatalogScheduler(service, 60_000, silent).tick(), new CatalogScheduler(node(), 60_000, silent).tick()]);
    for (const id of ids) assert.equal(await stateOf(id), 'deprecated');
    assert.ok((await repository.get(ids[0]!))!.updatedAt >= before!.updatedAt);
  });

  it('runs by itself on its timer until stopped, and logs a failing pass instead of throwing', async () => {
    const id = '00000000-0000-4000-8000-000000000006';
    await repository.create(image(id, { ...ACTIVE, deprecatedAt: new Date(clock.now().getTime() + 10) }));
    clock.advance(100);
    const scheduler = new CatalogScheduler(service, 5, silent);
    scheduler.start();
    for (let i = 0; i < 200 && (await stateOf(id)) !== 'deprecated'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await scheduler.stop();
    assert.equal(await stateOf(id), 'deprecated');

    const warnings: unknown[] = [];
    const failing = new CatalogScheduler({ applyDue: () => Promise.reject(new Error('database gone')) }, 60_000, { warn: (details) => { warnings.push(details); } });
    await failing.tick();
    assert.equal(warnings.length, 1);
  });
});
