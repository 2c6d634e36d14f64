/** CatalogRepository and the catalog columns of ImageRepository — on every dialect. */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { CatalogRepository } from '../../../src/db/repositories/catalog.repository.js';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { ACTIVE, DEFAULT_CATALOG, type CatalogFields } from '../../../src/domain/catalog.js';
import type { Image } from '../../../src/domain/image.js';
import type { AttributeFilter } from '../../../src/domain/image-query.js';
import { forEachDialect } from '../../support/databases.js';
import { at, listQuery, makeImage } from './image-fixtures.js';

const catalogOf = (fields: Partial<CatalogFields>): CatalogFields => ({ ...DEFAULT_CATALOG, ...fields });

forEachDialect((_dialect, catalog) => {
  const images = () => new ImageRepository(catalog().db);
  const repo = () => new CatalogRepository(catalog().db);

  const root = makeImage({ name: 'root', visibility: 'public', owner: 'ops', createdAt: at(1), catalog: catalogOf({ kind: 'standard', family: 'debian-12', version: '12.1', source: null }) });
  const newer = makeImage({ name: 'newer', visibility: 'public', owner: 'ops', createdAt: at(2), catalog: catalogOf({ kind: 'standard', family: 'debian-12', version: '12.2' }) });
  const capsule = makeImage({
    name: 'capsule', owner: 'project-a', createdAt: at(3),
    catalog: catalogOf({
      kind: 'capsule', baseImageId: root.id, source: { type: 'build', ref: 'build-7' },
      manifest: { application: { name: 'wp', version: '6' }, config: { ports: [{ port: 80 }] } },
      disks: [{ name: 'root', role: 'boot', size_gb: 10, format: 'qcow2', bus: 'virtio' }],
    }),
  });
  const grandchild = makeImage({ name: 'grandchild', owner: 'project-a', visibility: 'private', createdAt: at(4), catalog: catalogOf({ baseImageId: capsule.id, family: 'apps' }) });
  const otherFamily = makeImage({ name: 'b-only', owner: 'project-b', visibility: 'private', createdAt: at(5), catalog: catalogOf({ family: 'b-line' }) });

  before(async () => {
    for (const image of [root, newer, capsule, grandchild, otherFamily]) await images().create(image);
  });

  it('round-trips the catalog fields, JSON documents included', async () => {
    const read = await images().get(capsule.id);
    assert.deepEqual(read?.catalog, capsule.catalog);
  });

  it('filters lists by kind, family, version, base and deprecation state', async () => {
    const names = async (filters: AttributeFilter[]) => (await images().list(listQuery({ filters }))).map((i: Image) => i.name);
    assert.deepEqual(await names([{ field: 'imago_kind', op: 'eq', value: 'standard' }]), ['newer', 'root']);
    assert.deepEqual(await names([{ field: 'imago_kind', op: 'in', values: ['capsule', 'custom'] }]), ['b-only', 'grandchild', 'capsule']);
    assert.deepEqual(await names([{ field: 'imago_family', op: 'eq', value: 'debian-12' }, { field: 'imago_version', op: 'eq', value: '12.2' }]), ['newer']);
    assert.deepEqual(await names([{ field: 'imago_base_image_id', op: 'eq', value: root.id }]), ['capsule']);
    assert.deepEqual(await names([{ field: 'imago_deprecation_state', op: 'eq', value: 'obsolete' }]), []);
  });

  it('finds children and bases, deleted bases included', async () => {
    assert.deepEqual((await repo().children([root.id, capsule.id])).map((c) => c.id).sort(), [capsule.id, grandchild.id].sort());
    assert.deepEqual(await repo().baseOf(grandchild.id), { baseImageId: capsule.id, deleted: false });
    assert.equal(await repo().baseOf('00000000-0000-4000-8000-000000000000'), undefined);
  });

  it('lists the families a viewer may see, with their owners', async () => {
    assert.deepEqual(await repo().families({ isAdmin: false, projectId: 'project-a' }), [{ family: 'apps', versions: 1 }, { family: 'debian-12', versions: 2 }]);
    assert.deepEqual((await repo().families({ isAdmin: true, projectId: 'x' })).map((f) => f.family), ['apps', 'b-line', 'debian-12']);
    assert.deepEqual(await repo().familyOwners('debian-12'), ['ops']);
  });

  it('applies a deprecation by compare-and-set and finds due transitions by time', async () => {
    const scheduled = { ...ACTIVE, deprecatedAt: at(1000), obsoleteAt: at(2000) };
    assert.equal(await repo().setDeprecation(newer.id, 'active', scheduled, at(10)), true);
    assert.deepEqual(await repo().dueTransitions(at(999), 10), []);
    assert.deepEqual(await repo().dueTransitions(at(1000), 10), [newer.id]);
    assert.equal(await repo().setDeprecation(newer.id, 'active', { ...scheduled, state: 'deprecated' }, at(1000)), true);
    // A second node that read the image before the change loses the race.
    assert.equal(await repo().setDeprecation(newer.id, 'active', { ...scheduled, state: 'deprecated' }, at(1000)), false);
    assert.deepEqual(await repo().dueTransitions(at(1500), 10), []);
    assert.deepEqual(await repo().dueTransitions(at(2000), 10), [newer.id]);
    const read = await images().get(newer.id);
    assert.equal(read?.catalog.deprecation.state, 'deprecated');
    assert.deepEqual(read?.catalog.deprecation.obsoleteAt, at(2000));
    // An update built from a copy read before the transition changes the fields, not the deprecation.
    await images().update(newer.id, { catalog: { ...newer.catalog, version: '12.2a' }, updatedAt: at(1001) });
    const updated = await images().get(newer.id);
    assert.equal(updated?.catalog.version, '12.2a');
    assert.equal(updated?.catalog.deprecation.state, 'deprecated');
  });

  it('stores retention and required-property rules', async () => {
    await repo().setRetention({ family: 'debian-12', keep: 3, action: 'deprecate' }, at(0));
    await repo().setRetention({ family: 'debian-12', keep: 2, action: 'delete' }, at(1));
    assert.deepEqual(await repo().retention('debian-12'), { family: 'debian-12', keep: 2, action: 'delete' });
    assert.deepEqual(await repo().retentions(), [{ family: 'debian-12', keep: 2, action: 'delete' }]);
    assert.equal(await repo().deleteRetention('debian-12'), true);
    assert.equal(await repo().deleteRetention('debian-12'), false);

    await repo().setRequiredProperties({ scope: 'kind', name: 'standard', properties: ['os_distro'] }, at(0));
    await repo().setRequiredProperties({ scope: 'family', name: 'debian-12', properties: ['os_version'] }, at(0));
    await repo().setRequiredProperties({ scope: 'family', name: 'other', properties: ['x'] }, at(0));
    assert.deepEqual((await repo().requiredPropertiesFor('standard', 'debian-12')).map((r) => r.properties).flat().sort(), ['os_distro', 'os_version']);
    assert.deepEqual((await repo().requiredPropertiesFor('custom', null)), []);
    assert.equal((await repo().requiredProperties()).length, 3);
    assert.equal(await repo().deleteRequiredProperties('family', 'other'), true);
    assert.equal(await repo().deleteRequiredProperties('family', 'other'), false);
  });
});
