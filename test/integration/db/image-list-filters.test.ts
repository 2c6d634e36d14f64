/** ImageRepository.list: every attribute filter, tags and custom properties — on every dialect. */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import type { Image } from '../../../src/domain/image.js';
import type { AttributeFilter, CompareOp, ImageListQuery } from '../../../src/domain/image-query.js';
import { forEachDialect } from '../../support/databases.js';
import { at, listQuery, makeImage } from './image-fixtures.js';

/** Named images; each test states which names a query must return. */
const FIXTURE: Image[] = [
  makeImage({ name: 'alpha', status: 'active', diskFormat: 'qcow2', containerFormat: 'bare', owner: 'p1', size: 100, minDisk: 1, minRam: 0, createdAt: at(10), updatedAt: at(60), tags: ['linux', 'lts'], properties: { os_distro: 'debian', arch: 'x86_64' } }),
  makeImage({ name: 'beta', status: 'queued', diskFormat: 'raw', containerFormat: 'bare', owner: 'p1', size: null, minDisk: 0, minRam: 512, createdAt: at(20), updatedAt: at(50), tags: ['linux'], properties: { os_distro: 'ubuntu' } }),
  makeImage({ name: 'gamma', status: 'saving', diskFormat: 'vmdk', containerFormat: 'ova', owner: 'p2', size: 200, minDisk: 1, minRam: 512, createdAt: at(30), updatedAt: at(40), tags: ['lts', 'windows'], properties: { os_distro: 'debian', arch: 'aarch64' } }),
  makeImage({ name: 'delta', status: 'active', diskFormat: null, containerFormat: null, owner: null, size: 300, protected: true, createdAt: at(40), updatedAt: at(30), properties: { note: `${'n'.repeat(64)}-one` } }),
  makeImage({ name: 'epsilon, with comma', status: 'deactivated', diskFormat: 'iso', containerFormat: 'bare', owner: 'p2', size: 2 ** 40, osHidden: true, createdAt: at(50), updatedAt: at(20), tags: ['LINUX'], properties: { note: `${'n'.repeat(64)}-two` } }),
  makeImage({ name: null, status: 'killed', diskFormat: 'qcow2', containerFormat: 'docker', owner: 'p3', size: 0, createdAt: at(60), updatedAt: at(10) }),
];
/** Never listed, whatever the filter. */
const GONE: Image[] = [
  makeImage({ name: 'alpha', status: 'pending_delete', owner: 'p1', tags: ['linux'], properties: { os_distro: 'debian' }, createdAt: at(15), updatedAt: at(15) }),
  makeImage({ name: 'alpha', status: 'active', owner: 'p1', tags: ['linux'], properties: { os_distro: 'debian' }, createdAt: at(16), updatedAt: at(16) }),
];

forEachDialect((_dialect, catalog) => {
  const repo = () => new ImageRepository(catalog().db);

  before(async () => {
    for (const image of [...FIXTURE, ...GONE]) await repo().create(image);
    await repo().markDeleted(GONE[1]!.id, at(17));
  });

  /** Names returned, in the default order (newest first); null names as '(null)'. */
  async function names(overrides: Partial<ImageListQuery>): Promise<string[]> {
    return (await repo().list(listQuery(overrides))).map((i) => i.name ?? '(null)');
  }
  const filtered = (...filters: AttributeFilter[]) => names({ filters });

  it('lists everything but deleted and pending_delete images, newest first', async () => {
    assert.deepEqual(await names({}), ['(null)', 'epsilon, with comma', 'delta', 'gamma', 'beta', 'alpha']);
  });

  it('filters text columns by equality', async () => {
    assert.deepEqual(await filtered({ field: 'name', op: 'eq', value: 'beta' }), ['beta']);
    assert.deepEqual(await filtered({ field: 'name', op: 'eq', value: 'epsilon, with comma' }), ['epsilon, with comma']);
    assert.deepEqual(await filtered({ field: 'status', op: 'eq', value: 'active' }), ['delta', 'alpha']);
    assert.deepEqual(await filtered({ field: 'disk_format', op: 'eq', value: 'qcow2' }), ['(null)', 'alpha']);
    assert.deepEqual(await filtered({ field: 'container_format', op: 'eq', value: 'bare' }), ['epsilon, with comma', 'beta', 'alpha']);
    assert.deepEqual(await filtered({ field: 'owner', op: 'eq', value: 'p2' }), ['epsilon, with comma', 'gamma']);
    assert.deepEqual(await filtered({ field: 'id', op: 'eq', value: FIXTURE[2]!.id }), ['gamma']);
    assert.deepEqual(await filtered({ field: 'name', op: 'eq', value: 'nothing' }), []);
  });

  it('filters with in: lists', async () => {
    assert.deepEqual(await filtered({ field: 'name', op: 'in', values: ['alpha', 'epsilon, with comma', 'zeta'] }), ['epsilon, with comma', 'alpha']);
    assert.deepEqual(await filtered({ field: 'status', op: 'in', values: ['queued', 'saving'] }), ['gamma', 'beta']);
    assert.deepEqual(await filtered({ field: 'disk_format', op: 'in', values: ['raw', 'iso'] }), ['epsilon, with comma', 'beta']);
    assert.deepEqual(await filtered({ field: 'container_format', op: 'in', values: ['ova', 'docker'] }), ['(null)', 'gamma']);
    assert.deepEqual(await filtered({ field: 'id', op: 'in', values: [FIXTURE[0]!.id, FIXTURE[3]!.id, GONE[0]!.id] }), ['delta', 'alpha']);
    assert.deepEqual(await filtered({ field: 'status', op: 'in', values: ['pending_delete', 'deleted'] }), []);
  });

  it('combines filters with AND', async () => {
    assert.deepEqual(await filtered(
      { field: 'status', op: 'in', values: ['active', 'saving', 'queued'] },
      { field: 'owner', op: 'eq', value: 'p1' },
    ), ['beta', 'alpha']);
  });

  it('filters booleans', async () => {
    assert.deepEqual(await filtered({ field: 'protected', op: 'eq', value: true }), ['delta']);
    assert.deepEqual(await filtered({ field: 'protected', op: 'eq', value: false }), ['(null)', 'epsilon, with comma', 'gamma', 'beta', 'alpha']);
    assert.deepEqual(await filtered({ field: 'os_hidden', op: 'eq', value: true }), ['epsilon, with comma']);
    assert.deepEqual(await filtered({ field: 'os_hidden', op: 'eq', value: false }), ['(null)', 'delta', 'gamma', 'beta', 'alpha']);
  });

  it('filters numbers: size range (unknown sizes never match), min_disk and min_ram', async () => {
    assert.deepEqual(await filtered({ field: 'size', op: 'gte', value: 200 }), ['epsilon, with comma', 'delta', 'gamma']);
    assert.deepEqual(await filtered({ field: 'size', op: 'lte', value: 200 }), ['(null)', 'gamma', 'alpha']);
    assert.deepEqual(await filtered({ field: 'size', op: 'gte', value: 100 }, { field: 'size', op: 'lte', value: 300 }), ['delta', 'gamma', 'alpha']);
    assert.deepEqual(await filtered({ field: 'size', op: 'eq', value: 200 }), ['gamma'], 'size=N matches exactly, as in Glance');
    assert.deepEqual(await filtered({ field: 'size', op: 'gte', value: 2 ** 40 }), ['epsilon, with comma']);
    assert.deepEqual(await filtered({ field: 'min_disk', op: 'eq', value: 1 }), ['gamma', 'alpha']);
    assert.deepEqual(await filtered({ field: 'min_ram', op: 'eq', value: 512 }), ['gamma', 'beta']);
  });

  it('compares created_at and updated_at with every operator, to the millisecond', async () => {
    const expected: Record<CompareOp, { created: string[]; updated: string[] }> = {
      eq: { created: ['gamma'], updated: ['delta'] },
      neq: { created: ['(null)', 'epsilon, with comma', 'delta', 'beta', 'alpha'], updated: ['(null)', 'epsilon, with comma', 'gamma', 'beta', 'alpha'] },
      gt: { created: ['(null)', 'epsilon, with comma', 'delta'], updated: ['gamma', 'beta', 'alpha'] },
      gte: { created: ['(null)', 'epsilon, with comma', 'delta', 'gamma'], updated: ['delta', 'gamma', 'beta', 'alpha'] },
      lt: { created: ['beta', 'alpha'], updated: ['(null)', 'epsilon, with comma'] },
      lte: { created: ['gamma', 'beta', 'alpha'], updated: ['(null)', 'epsilon, with comma', 'delta'] },
    };
    for (const [op, { created, updated }] of Object.entries(expected) as Array<[CompareOp, (typeof expected)[CompareOp]]>) {
      assert.deepEqual(await filtered({ field: 'created_at', op, value: at(30) }), created, `created_at ${op}`);
      assert.deepEqual(await filtered({ field: 'updated_at', op, value: at(30) }), updated, `updated_at ${op}`);
    }
    // One millisecond either side of an instant.
    assert.deepEqual(await filtered({ field: 'created_at', op: 'eq', value: at(31) }), []);
    assert.deepEqual(await filtered({ field: 'created_at', op: 'lt', value: at(31) }), ['gamma', 'beta', 'alpha']);
    assert.deepEqual(await filtered({ field: 'created_at', op: 'gt', value: at(29) }), ['(null)', 'epsilon, with comma', 'delta', 'gamma']);
  });

  it('requires every tag (AND), matching case exactly', async () => {
    assert.deepEqual(await names({ tags: ['linux'] }), ['beta', 'alpha']);
    assert.deepEqual(await names({ tags: ['lts'] }), ['gamma', 'alpha']);
    assert.deepEqual(await names({ tags: ['linux', 'lts'] }), ['alpha']);
    assert.deepEqual(await names({ tags: ['LINUX'] }), ['epsilon, with comma']);
    assert.deepEqual(await names({ tags: ['linux', 'windows'] }), []);
    assert.deepEqual(await names({ tags: ['absent'] }), []);
  });

  it('requires every custom property to equal its value', async () => {
    assert.deepEqual(await names({ properties: { os_distro: 'debian' } }), ['gamma', 'alpha']);
    assert.deepEqual(await names({ properties: { os_distro: 'debian', arch: 'x86_64' } }), ['alpha']);
    assert.deepEqual(await names({ properties: { os_distro: 'fedora' } }), []);
    assert.deepEqual(await names({ properties: { arch: 'debian' } }), [], 'the value belongs to the named property');
  });

  it('compares long property values whole, not by their indexed prefix', async () => {
    assert.deepEqual(await names({ properties: { note: `${'n'.repeat(64)}-two` } }), ['epsilon, with comma']);
    assert.deepEqual(await names({ properties: { note: `${'n'.repeat(64)}` } }), []);
  });

  it('combines tags, properties and filters', async () => {
    assert.deepEqual(await names({ tags: ['lts'], properties: { os_distro: 'debian' }, filters: [{ field: 'owner', op: 'eq', value: 'p2' }] }), ['gamma']);
  });

  it('returns at most limit images, and none for limit 0', async () => {
    assert.deepEqual(await names({ limit: 2 }), ['(null)', 'epsilon, with comma']);
    assert.deepEqual(await names({ limit: 0 }), []);
  });

  it('returns tags and properties of every image on the page', async () => {
    const page = await repo().list(listQuery({ tags: ['lts'] }));
    assert.deepEqual(page.map((i) => [i.tags, i.properties]), [
      [['lts', 'windows'], { os_distro: 'debian', arch: 'aarch64' }],
      [['linux', 'lts'], { os_distro: 'debian', arch: 'x86_64' }],
    ]);
  });
});
