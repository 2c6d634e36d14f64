/** MetadefRepository: namespaces, their contents, resource types, image rules and seeds — on every dialect. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { MetadefRepository } from '../../../src/db/repositories/metadef.repository.js';
import type { MetadefNamespace, NamespaceContents } from '../../../src/domain/metadef.js';
import { DUPLICATE } from '../../../src/services/metadef.ports.js';
import { forEachDialect } from '../../support/databases.js';

const at = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);
const EMPTY: NamespaceContents = { objects: [], properties: [], tags: [], resourceTypeAssociations: [] };

function makeNamespace(fields: Partial<MetadefNamespace> = {}): MetadefNamespace {
  return {
    id: randomUUID(),
    namespace: `ns-${randomUUID().slice(0, 8)}`,
    displayName: null,
    description: null,
    visibility: 'public',
    protected: false,
    owner: 'p1',
    validation: 'warn',
    createdAt: at(0),
    updatedAt: at(0),
    ...fields,
  };
}

forEachDialect((_dialect, catalog) => {
  const repo = () => new MetadefRepository(catalog().db);

  it('creates a namespace with its contents in one go and reads it all back', async () => {
    const ns = makeNamespace({ displayName: 'Disk', description: 'about disks', protected: true });
    const contents: NamespaceContents = {
      objects: [{ name: 'obj', description: 'an object', required: ['a'], properties: { a: { title: 'A', type: 'string' } }, createdAt: at(1), updatedAt: at(1) }],
      properties: [{ name: 'disk_bus', definition: { title: 'Bus', type: 'string', enum: ['virtio', 'ide'] }, createdAt: at(1), updatedAt: at(1) }],
      tags: [{ name: 't1', createdAt: at(1), updatedAt: at(1) }],
      resourceTypeAssociations: [{ name: `Test::Type::${ns.id.slice(0, 6)}`, prefix: 'hw_', propertiesTarget: null, createdAt: at(1), updatedAt: at(1) }],
    };
    assert.deepEqual(await repo().createNamespace(ns, contents), ns);
    assert.deepEqual(await repo().getNamespace(ns.namespace), ns);
    assert.deepEqual(await repo().contents(ns.id), contents);
    assert.ok((await repo().listResourceTypes()).some((t) => t.name === contents.resourceTypeAssociations[0]!.name), 'resource type created on first use');
    assert.deepEqual(await repo().createNamespace({ ...ns, id: randomUUID() }, EMPTY), DUPLICATE);
  });

  it('renames and changes a namespace, refusing a name that is taken', async () => {
    const a = makeNamespace();
    const b = makeNamespace();
    await repo().createNamespace(a, EMPTY);
    await repo().createNamespace(b, EMPTY);
    const renamed = await repo().updateNamespace(a.id, { namespace: `${a.namespace}-x`, visibility: 'private', validation: 'strict', updatedAt: at(5) });
    assert.ok(renamed && !('duplicate' in renamed));
    assert.equal(renamed.namespace, `${a.namespace}-x`);
    assert.equal(renamed.visibility, 'private');
    assert.equal(renamed.validation, 'strict');
    assert.deepEqual(renamed.updatedAt, at(5));
    assert.deepEqual(await repo().updateNamespace(a.id, { namespace: b.namespace, updatedAt: at(6) }), DUPLICATE);
    assert.equal(await repo().updateNamespace(randomUUID(), { updatedAt: at(6) }), undefined);
  });

  it('deletes a namespace with everything in it', async () => {
    const ns = makeNamespace();
    await repo().createNamespace(ns, {
      ...EMPTY,
      properties: [{ name: 'p', definition: { title: 'P', type: 'string' }, createdAt: at(0), updatedAt: at(0) }],
      tags: [{ name: 't', createdAt: at(0), updatedAt: at(0) }],
      resourceTypeAssociations: [{ name: 'OS::Glance::Image', prefix: null, propertiesTarget: null, createdAt: at(0), updatedAt: at(0) }],
    });
    assert.equal(await repo().deleteNamespace(ns.id), true);
    assert.equal(await repo().getNamespace(ns.namespace), undefined);
    assert.deepEqual(await repo().contents(ns.id), EMPTY);
    assert.equal(await repo().deleteNamespace(ns.id), false);
  });

  it('lists what the viewer may see, filtered by visibility and resource type, in pages', async () => {
    const owner = `owner-${randomUUID().slice(0, 6)}`;
    const type = `List::Type::${randomUUID().slice(0, 6)}`;
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const ns = makeNamespace({ owner, visibility: i === 3 ? 'private' : 'public', createdAt: at(100 + i), updatedAt: at(100 + i) });
      names.push(ns.namespace);
      await repo().createNamespace(ns, { ...EMPTY, resourceTypeAssociations: [{ name: type, prefix: null, propertiesTarget: null, createdAt: at(0), updatedAt: at(0) }] });
    }
    const query = { resourceTypes: [type], sortKey: 'created_at' as const, sortDir: 'desc' as const, limit: 10 };
    const asOwner = await repo().listNamespaces({ ...query, viewer: { isAdmin: false, projectId: owner } });
    assert.deepEqual(asOwner.map((n) => n.namespace), [...names].reverse());
    const asOther = await repo().listNamespaces({ ...query, viewer: { isAdmin: false, projectId: 'someone-else' } });
    assert.deepEqual(asOther.map((n) => n.namespace), names.slice(0, 3).reverse(), 'another project does not see the private one');
    const asAdmin = await repo().listNamespaces({ ...query, viewer: { isAdmin: true, projectId: 'admin' }, visibility: 'private' });
    assert.deepEqual(asAdmin.map((n) => n.namespace), [names[3]]);
    const viewer = { isAdmin: true, projectId: 'admin' };
    const first = await repo().listNamespaces({ ...query, viewer, sortDir: 'asc', limit: 2 });
    const second = await repo().listNamespaces({ ...query, viewer, sortDir: 'asc', limit: 2, marker: first[1] });
    assert.deepEqual([...first, ...second].map((n) => n.namespace), names);
    const byName = await repo().listNamespaces({ ...query, viewer, sortKey: 'namespace', sortDir: 'asc', limit: 10, marker: (await repo().getNamespace([...names].sort()[1]!))! });
    assert.deepEqual(byName.map((n) => n.namespace), [...names].sort().slice(2));
    const associations = await repo().associationsOf([first[0]!.id]);
    assert.deepEqual(associations.get(first[0]!.id)?.map((a) => a.name), [type]);
  });

  it('keeps objects and properties as named documents: create, rename, replace, delete', async () => {
    const ns = makeNamespace();
    await repo().createNamespace(ns, EMPTY);
    const doc = { name: 'p1', document: { title: 'One', type: 'integer', minimum: 1 }, createdAt: at(1), updatedAt: at(1) };
    assert.deepEqual(await repo().createDocument('properties', ns.id, doc), doc);
    assert.deepEqual(await repo().createDocument('properties', ns.id, doc), DUPLICATE);
    await repo().createDocument('properties', ns.id, { ...doc, name: 'p2', createdAt: at(2) });
    assert.deepEqual(await repo().getDocument('properties', ns.id, 'p1'), doc);
    const renamed = await repo().updateDocument('properties', ns.id, 'p1', { name: 'p3', document: { title: 'Three', type: 'string' }, updatedAt: at(9) });
    assert.deepEqual(renamed, { name: 'p3', document: { title: 'Three', type: 'string' }, createdAt: at(1), updatedAt: at(9) });
    assert.deepEqual(await repo().updateDocument('properties', ns.id, 'p3', { name: 'p2', document: {}, updatedAt: at(9) }), DUPLICATE);
    assert.equal(await repo().updateDocument('properties', ns.id, 'nope', { name: 'x', document: {}, updatedAt: at(9) }), undefined);
    assert.deepEqual((await repo().listDocuments('properties', ns.id)).map((d) => d.name), ['p3', 'p2']);
    assert.deepEqual(await repo().listDocuments('objects', ns.id), [], 'objects are kept apart');
    assert.equal(await repo().deleteDocument('properties', ns.id, 'p3'), true);
    assert.equal(await repo().deleteDocument('properties', ns.id, 'p3'), false);
    await repo().deleteDocuments('properties', ns.id);
    assert.deepEqual(await repo().listDocuments('properties', ns.id), []);
  });

  it('adds, replaces, renames, pages and deletes tags', async () => {
    const ns = makeNamespace();
    await repo().createNamespace(ns, EMPTY);
    assert.ok(Array.isArray(await repo().createTags(ns.id, ['a', 'b'], at(1), { replace: false })));
    assert.deepEqual(await repo().createTags(ns.id, ['b', 'c'], at(2), { replace: false }), DUPLICATE);
    assert.deepEqual((await repo().listTags(ns.id, { sortKey: 'name', sortDir: 'asc' })).map((t) => t.name), ['a', 'b'], 'a failed add changes nothing');
    await repo().createTags(ns.id, ['c', 'd', 'e'], at(3), { replace: true });
    const all = await repo().listTags(ns.id, { sortKey: 'name', sortDir: 'asc' });
    assert.deepEqual(all.map((t) => t.name), ['c', 'd', 'e']);
    const page = await repo().listTags(ns.id, { sortKey: 'name', sortDir: 'asc', marker: all[0], limit: 1 });
    assert.deepEqual(page.map((t) => t.name), ['d']);
    assert.equal((await repo().renameTag(ns.id, 'c', 'z', at(4)) as { name: string }).name, 'z');
    assert.deepEqual(await repo().renameTag(ns.id, 'z', 'd', at(4)), DUPLICATE);
    assert.equal(await repo().renameTag(ns.id, 'nope', 'y', at(4)), undefined);
    assert.equal((await repo().getTag(ns.id, 'z'))?.name, 'z');
    assert.equal(await repo().deleteTag(ns.id, 'z'), true);
    await repo().deleteTags(ns.id);
    assert.deepEqual(await repo().listTags(ns.id, { sortKey: 'created_at', sortDir: 'desc' }), []);
  });

  it('associates resource types once each, and removes associations', async () => {
    const ns = makeNamespace();
    await repo().createNamespace(ns, EMPTY);
    const association = { name: 'OS::Nova::Flavor', prefix: 'hw:', propertiesTarget: null, createdAt: at(1), updatedAt: at(1) };
    assert.deepEqual(await repo().createAssociation(ns.id, association), association);
    assert.deepEqual(await repo().createAssociation(ns.id, association), DUPLICATE);
    assert.deepEqual(await repo().listAssociations(ns.id), [association]);
    assert.equal(await repo().deleteAssociation(ns.id, 'OS::Nova::Flavor'), true);
    assert.equal(await repo().deleteAssociation(ns.id, 'OS::Nova::Flavor'), false);
  });

  it('finds the image rules for property keys through the association prefix, by visibility and mode', async () => {
    const key = `k${randomUUID().slice(0, 6)}`;
    const definition = { title: 'K', type: 'integer' as const };
    const image = (prefix: string | null) => [{ name: 'OS::Glance::Image', prefix, propertiesTarget: null, createdAt: at(0), updatedAt: at(0) }];
    const prop = { name: key, definition, createdAt: at(0), updatedAt: at(0) };
    const pub = makeNamespace({ validation: 'strict' });
    const priv = makeNamespace({ visibility: 'private', owner: 'p-own' });
    const off = makeNamespace({ validation: 'off' });
    const flavor = makeNamespace();
    await repo().createNamespace(pub, { ...EMPTY, properties: [prop], resourceTypeAssociations: image('hw_') });
    await repo().createNamespace(priv, {
      ...EMPTY,
      objects: [{ name: 'o', description: null, required: [], properties: { [key]: definition }, createdAt: at(0), updatedAt: at(0) }],
      resourceTypeAssociations: image(null),
    });
    await repo().createNamespace(off, { ...EMPTY, properties: [prop], resourceTypeAssociations: image(null) });
    await repo().createNamespace(flavor, { ...EMPTY, properties: [prop], resourceTypeAssociations: [{ ...image(null)[0]!, name: 'OS::Nova::Flavor' }] });

    const forOwner = await repo().imageRules([`hw_${key}`, key], 'p-own');
    assert.deepEqual(forOwner.map((r) => [r.namespace, r.prefix, r.object, r.name, r.mode]).sort(), [
      [priv.namespace, null, 'o', key, 'warn'],
      [pub.namespace, 'hw_', null, key, 'strict'],
    ].sort());
    const forOthers = await repo().imageRules([`hw_${key}`, key], 'p-other');
    assert.deepEqual(forOthers.map((r) => r.namespace), [pub.namespace]);
    assert.deepEqual(await repo().imageRules([], 'p-own'), []);
  });

  it('loads a shipped namespace once, and leaves one of the same name alone', async () => {
    const shipped = makeNamespace();
    assert.equal(await repo().seedNamespace(shipped, EMPTY, at(0)), 'loaded');
    assert.equal(await repo().seedNamespace({ ...shipped, id: randomUUID() }, EMPTY, at(1)), 'skipped');
    assert.ok((await repo().seeded()).has(shipped.namespace));
    const taken = makeNamespace();
    await repo().createNamespace(taken, EMPTY);
    assert.equal(await repo().seedNamespace({ ...taken, id: randomUUID(), description: 'shipped' }, EMPTY, at(2)), 'skipped');
    assert.equal((await repo().getNamespace(taken.namespace))?.description, null, 'the existing namespace is untouched');
    assert.ok((await repo().seeded()).has(taken.namespace));
  });
});
