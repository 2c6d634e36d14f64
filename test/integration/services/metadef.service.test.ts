/** The metadefs services against a real catalog: access rules, protection, and loading the shipped namespaces. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadefRepository } from '../../../src/db/repositories/metadef.repository.js';
import { ForbiddenError, NotFoundError } from '../../../src/domain/errors.js';
import { Policy } from '../../../src/domain/policy.js';
import type { Principal } from '../../../src/domain/principal.js';
import { STANDARD_NAMESPACES } from '../../../src/metadefs/standard-namespaces.js';
import { ImagePropertyValidator } from '../../../src/services/image-property-validator.js';
import { MetadefAccess } from '../../../src/services/metadef-access.js';
import { MetadefContentService } from '../../../src/services/metadef-content.service.js';
import { MetadefSeeder } from '../../../src/services/metadef-seed.service.js';
import { MetadefService } from '../../../src/services/metadef.service.js';
import { createTestCatalog, type TestCatalog } from '../../support/databases.js';

const admin: Principal = { projectId: 'admin', userId: 'u-admin', roles: ['admin'] };
const member = (projectId: string): Principal => ({ projectId, userId: `u-${projectId}`, roles: ['member'] });
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

let catalog: TestCatalog;
let repo: MetadefRepository;
let namespaces: MetadefService;
let contents: MetadefContentService;

before(async () => {
  catalog = await createTestCatalog('sqlite');
  repo = new MetadefRepository(catalog.db);
  const policy = new Policy();
  const access = new MetadefAccess(repo, policy);
  namespaces = new MetadefService(repo, access, policy, clock, { listLimitDefault: 25, listLimitMax: 100 });
  contents = new MetadefContentService(repo, access, clock);
});
after(async () => { await catalog?.dispose(); });

describe('MetadefService', () => {
  it('answers 404 for namespaces the caller may not see and 403 for actions the caller may not do', async () => {
    await namespaces.createNamespace(admin, { namespace: 'svc-private', visibility: 'private', owner: 'p1' });
    await assert.rejects(namespaces.showNamespace(member('p2'), 'svc-private'), NotFoundError);
    await assert.rejects(contents.listTags(member('p2'), 'svc-private', { sortKey: 'name', sortDir: 'asc' }), NotFoundError);
    assert.equal((await namespaces.showNamespace(member('p1'), 'svc-private')).namespace.owner, 'p1');
    await assert.rejects(namespaces.deleteNamespace(member('p1'), 'svc-private'), ForbiddenError, 'owners may look, only admins change');
    await assert.rejects(namespaces.createNamespace(member('p1'), { namespace: 'svc-mine' }), ForbiddenError);
  });

  it('keeps the contents of a protected namespace from deletion, but not from changes', async () => {
    await namespaces.createNamespace(admin, { namespace: 'svc-protected', protected: true, properties: { a: { title: 'A', type: 'string' } } });
    await assert.rejects(contents.deleteProperty(admin, 'svc-protected', 'a'), (err: unknown) => err instanceof ForbiddenError && err.reason === 'metadef.protected');
    const updated = await contents.updateProperty(admin, 'svc-protected', 'a', { name: 'a', title: 'A2', type: 'string' });
    assert.equal(updated.definition.title, 'A2');
  });
});

describe('MetadefSeeder', () => {
  it('loads every shipped namespace once, and never over an operator\'s changes or deletions', async () => {
    const seeder = new MetadefSeeder(repo, clock, STANDARD_NAMESPACES, 'admin');
    const loaded = await seeder.run();
    assert.deepEqual(loaded.sort(), STANDARD_NAMESPACES.map((d) => d.namespace).sort());
    const libvirt = (await namespaces.showNamespace(member('p1'), 'OS::Compute::LibvirtImage'));
    assert.equal(libvirt.namespace.visibility, 'public');
    assert.equal(libvirt.namespace.protected, true);
    assert.equal(libvirt.namespace.validation, 'warn');
    assert.ok(libvirt.contents.properties.some((p) => p.name === 'hw_disk_bus'));

    // The operator makes one strict and deletes another.
    await namespaces.updateNamespace(admin, 'OS::Compute::LibvirtImage', { namespace: 'OS::Compute::LibvirtImage', visibility: 'public', protected: true, imago_validation: 'strict' });
    await namespaces.updateNamespace(admin, 'OS::Compute::Watchdog', { namespace: 'OS::Compute::Watchdog', visibility: 'public', protected: false });
    await namespaces.deleteNamespace(admin, 'OS::Compute::Watchdog');

    assert.deepEqual(await seeder.run(), [], 'a second start loads nothing');
    assert.equal((await repo.getNamespace('OS::Compute::LibvirtImage'))?.validation, 'strict');
    assert.equal(await repo.getNamespace('OS::Compute::Watchdog'), undefined);
  });

  it('gives the validator the shipped definitions, under their prefixes', async () => {
    const validator = new ImagePropertyValidator(repo);
    const props = { hw_disk_bus: 'floppy', hw_cpu_cores: '0', hw_mem_page_size: '2MB', architecture: 'x86_64', os_distro: 'Ubuntu', img_config_drive: 'mandatory' };
    const result = await validator.evaluate(props, Object.keys(props), 'p1');
    assert.deepEqual(result.errors.map((v) => v.key), ['hw_disk_bus'], 'LibvirtImage was made strict above');
    assert.deepEqual(result.warnings.map((v) => [v.key, v.namespace]), [
      ['hw_cpu_cores', 'OS::Compute::VirtCPUTopology'],
      ['os_distro', 'OS::Glance::CommonImageProperties'],
    ]);
  });
});
