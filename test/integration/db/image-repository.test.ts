/** ImageRepository: create, read, compare-and-set update, tags, soft delete — on every dialect. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { ConflictError } from '../../../src/domain/errors.js';
import { forEachDialect } from '../../support/databases.js';
import { at, makeImage } from './image-fixtures.js';

forEachDialect((_dialect, catalog) => {
  const repo = () => new ImageRepository(catalog().db);

  it('stores every field and reads it back unchanged', async () => {
    const image = makeImage({
      name: 'cirros',
      status: 'active',
      visibility: 'community',
      protected: true,
      osHidden: true,
      owner: 'project-x',
      diskFormat: 'vmdk',
      containerFormat: 'ova',
      minDisk: 20,
      minRam: 2048,
      size: 5 * 2 ** 40, // beyond 32 bits: bigint columns must come back as exact numbers
      virtualSize: 2 ** 53 - 1,
      checksum: 'c'.repeat(32),
      osHashAlgo: 'sha512',
      osHashValue: 'f'.repeat(128),
      location: { store: 'local', key: 'images/abc' },
      createdAt: at(1),
      updatedAt: at(2),
      tags: ['b', 'a'],
      properties: { os_distro: 'debian', long: 'x'.repeat(10_000) },
    });
    await repo().create(image);
    // deepEqual compares Dates by time, so this also checks that milliseconds survive.
    assert.deepEqual(await repo().get(image.id), { ...image, tags: ['a', 'b'] });
  });

  it('stores nulls, and no tags or properties', async () => {
    const image = makeImage({
      name: null, owner: null, diskFormat: null, containerFormat: null, size: null, virtualSize: null, location: null,
    });
    await repo().create(image);
    assert.deepEqual(await repo().get(image.id), image);
  });

  it('answers undefined for an unknown id', async () => {
    assert.equal(await repo().get('00000000-0000-4000-8000-000000000000'), undefined);
    assert.equal(await repo().get('00000000-0000-4000-8000-000000000000', { includeDeleted: true }), undefined);
  });

  it('keeps a repeated tag once', async () => {
    const image = makeImage({ tags: ['x', 'x', 'y'] });
    await repo().create(image);
    assert.deepEqual((await repo().get(image.id))?.tags, ['x', 'y']);
  });

  it('refuses an id that exists, with ConflictError carrying the database error', async () => {
    const image = makeImage({ name: 'first' });
    await repo().create(image);
    await assert.rejects(repo().create(makeImage({ id: image.id, name: 'second', tags: ['t'] })), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.message, `Image ID ${image.id} already exists!`);
      assert.ok(err.cause instanceof Error, 'the database error is the cause');
      return true;
    });
    const kept = await repo().get(image.id);
    assert.equal(kept?.name, 'first');
    assert.deepEqual(kept?.tags, [], 'nothing of the refused image was written');
  });

  it('refuses the id of a deleted image', async () => {
    const image = makeImage();
    await repo().create(image);
    await repo().markDeleted(image.id, at(10));
    await assert.rejects(repo().create(makeImage({ id: image.id })), ConflictError);
  });

  it('keeps concurrent creates apart: a duplicate among them is refused alone', async () => {
    const images = [makeImage({ tags: ['a'] }), makeImage({ properties: { k: 'v' } }), makeImage()];
    const duplicate = makeImage({ id: images[0]!.id, name: 'second', tags: ['dup'] });
    const created = repo();
    const results = await Promise.allSettled([...images, duplicate].map((image) => created.create(image)));
    assert.deepEqual(results.slice(0, 3).map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled']);
    const refused = results[3]!;
    assert.ok(refused.status === 'rejected' && refused.reason instanceof ConflictError);
    for (const image of images) assert.deepEqual(await repo().get(image.id), image);
  });

  it('does not let other errors pass as conflicts', async () => {
    const image = makeImage();
    // NOT NULL violation: a bug, not a duplicate.
    await assert.rejects(repo().create({ ...image, status: null as unknown as 'active' }), (err: unknown) => !(err instanceof ConflictError));
    assert.equal(await repo().get(image.id), undefined);
  });

  it('hides deleted and pending_delete images unless asked', async () => {
    const pending = makeImage({ status: 'pending_delete' });
    await repo().create(pending);
    assert.equal(await repo().get(pending.id), undefined);
    assert.equal((await repo().get(pending.id, { includeDeleted: true }))?.status, 'pending_delete');
  });

  it('updates scalar fields, tags and properties in one call and returns the result', async () => {
    const image = makeImage({ status: 'queued', tags: ['old', 'keep'], properties: { a: '1', b: '2', c: '3' } });
    await repo().create(image);
    const updated = await repo().update(image.id, {
      updatedAt: at(50),
      name: 'renamed',
      status: 'active',
      size: 2 ** 40,
      minRam: 512,
      protected: true,
      osHidden: true,
      location: { store: 's3', key: 'k' },
      tags: ['keep', 'new', 'new'],
      properties: { set: { a: 'one', d: '4' }, remove: ['b'] },
    });
    const expected = {
      ...image, updatedAt: at(50), name: 'renamed', status: 'active' as const, size: 2 ** 40, minRam: 512, protected: true,
      osHidden: true, location: { store: 's3', key: 'k' }, tags: ['keep', 'new'], properties: { a: 'one', c: '3', d: '4' },
    };
    assert.deepEqual(updated, expected);
    assert.deepEqual(await repo().get(image.id), expected);
  });

  it('sets nullable fields to null and leaves fields it is not given', async () => {
    const image = makeImage({ name: 'n', location: { store: 'local', key: 'k' }, tags: ['t'], properties: { p: 'v' } });
    await repo().create(image);
    const updated = await repo().update(image.id, { updatedAt: at(5), name: null, location: null, size: null });
    assert.deepEqual(updated, { ...image, updatedAt: at(5), name: null, location: null, size: null });
  });

  it('updates only when the status matches (compare-and-set)', async () => {
    const image = makeImage({ status: 'queued' });
    await repo().create(image);
    assert.equal(await repo().update(image.id, { updatedAt: at(1), status: 'saving' }, { status: ['active', 'killed'] }), undefined);
    assert.equal((await repo().get(image.id))?.status, 'queued', 'a failed condition changes nothing');
    assert.equal((await repo().update(image.id, { updatedAt: at(2), status: 'saving' }, { status: ['queued'] }))?.status, 'saving');
    assert.equal(await repo().update(image.id, { updatedAt: at(3), status: 'saving', tags: ['x'] }, { status: ['queued'] }), undefined);
    assert.deepEqual((await repo().get(image.id))?.tags, [], 'tags are not touched when the condition fails');
  });

  it('lets exactly one of several racing compare-and-set updates win', async () => {
    const image = makeImage({ status: 'queued' });
    await repo().create(image);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      repo().update(image.id, { updatedAt: at(i), status: 'saving', name: `winner-${i}` }, { status: ['queued'] })));
    const winners = results.filter((r) => r !== undefined);
    assert.equal(winners.length, 1);
    assert.equal((await repo().get(image.id))?.name, winners[0]!.name);
  });

  it('does not update unknown or deleted images', async () => {
    assert.equal(await repo().update('00000000-0000-4000-8000-000000000001', { updatedAt: at(1), name: 'x' }), undefined);
    const image = makeImage();
    await repo().create(image);
    await repo().markDeleted(image.id, at(2));
    assert.equal(await repo().update(image.id, { updatedAt: at(3), name: 'x' }), undefined);
    assert.equal((await repo().get(image.id, { includeDeleted: true }))?.name, image.name);
  });

  it('adds a tag once and bumps updated_at', async () => {
    const image = makeImage({ tags: ['a'] });
    await repo().create(image);
    assert.equal(await repo().addTag(image.id, 'b', at(10)), true);
    assert.equal(await repo().addTag(image.id, 'b', at(20)), true, 'adding a present tag succeeds');
    const read = await repo().get(image.id);
    assert.deepEqual(read?.tags, ['a', 'b']);
    assert.deepEqual(read?.updatedAt, at(20));
  });

  it('removes a tag, answering false when it was absent', async () => {
    const image = makeImage({ tags: ['a', 'b'] });
    await repo().create(image);
    assert.equal(await repo().removeTag(image.id, 'a', at(10)), true);
    assert.equal(await repo().removeTag(image.id, 'a', at(20)), false);
    const read = await repo().get(image.id);
    assert.deepEqual(read?.tags, ['b']);
    assert.deepEqual(read?.updatedAt, at(10), 'a removal that did nothing does not bump updated_at');
  });

  it('does not tag unknown or deleted images', async () => {
    assert.equal(await repo().addTag('00000000-0000-4000-8000-000000000002', 't', at(1)), false);
    const image = makeImage({ tags: ['t'] });
    await repo().create(image);
    await repo().markDeleted(image.id, at(2));
    assert.equal(await repo().addTag(image.id, 'u', at(3)), false);
    assert.equal(await repo().removeTag(image.id, 't', at(3)), false);
  });

  it('soft-deletes: returns the image as it was, keeps the row, drops tags, properties and members', async () => {
    const image = makeImage({ tags: ['t'], properties: { p: 'v' }, visibility: 'shared', location: { store: 'local', key: 'images/x' } });
    await repo().create(image);
    const db = catalog().db;
    await db.insertInto('image_members').values({ image_id: image.id, member: 'project-b', status: 'accepted', created_at: 1, updated_at: 1 }).execute();

    assert.deepEqual(await repo().markDeleted(image.id, at(99)), image);
    assert.equal(await repo().get(image.id), undefined);
    const deleted = await repo().get(image.id, { includeDeleted: true });
    assert.equal(deleted?.status, 'deleted');
    assert.deepEqual(deleted?.updatedAt, at(99));
    assert.deepEqual(deleted?.location, image.location, 'the location stays for garbage collection');
    const row = await db.selectFrom('images').select('deleted_at').where('id', '=', image.id).executeTakeFirstOrThrow();
    assert.equal(Number(row.deleted_at), at(99).getTime());
    for (const table of ['image_tags', 'image_properties', 'image_members'] as const) {
      const left = await db.selectFrom(table).select('image_id').where('image_id', '=', image.id).execute();
      assert.equal(left.length, 0, `${table} rows are removed`);
    }
    assert.equal(await repo().markDeleted(image.id, at(100)), undefined, 'deleting twice finds nothing');
    assert.equal(await repo().markDeleted('00000000-0000-4000-8000-000000000003', at(100)), undefined);
  });

  it('lets one of two racing deletes have the image', async () => {
    const image = makeImage();
    await repo().create(image);
    const results = await Promise.all([repo().markDeleted(image.id, at(1)), repo().markDeleted(image.id, at(2))]);
    assert.equal(results.filter((r) => r !== undefined).length, 1);
  });

  it('counts the images of an owner that are not deleted', async () => {
    const owner = 'project-count';
    const images = [makeImage({ owner }), makeImage({ owner }), makeImage({ owner }), makeImage({ owner: 'someone-else' })];
    for (const image of images) await repo().create(image);
    await repo().markDeleted(images[0]!.id, at(1));
    assert.equal(await repo().countByOwner(owner), 2);
    assert.equal(await repo().countByOwner('project-nobody'), 0);
  });

  it('requeues uploads whose heartbeat stopped before the cutoff, and nothing else', async () => {
    // Before every other test's timestamps, so their saving images are younger than the cutoff.
    const stale = makeImage({ status: 'saving', updatedAt: at(-3000) });
    const live = makeImage({ status: 'saving', updatedAt: at(-1000) });
    const active = makeImage({ status: 'active', updatedAt: at(-3000) });
    const deleted = makeImage({ status: 'saving', updatedAt: at(-3000) });
    for (const image of [stale, live, active, deleted]) await repo().create(image);
    await repo().markDeleted(deleted.id, at(-3000));
    assert.equal(await repo().requeueStaleUploads(at(-2000), at(400)), 1);
    assert.deepEqual(await repo().get(stale.id), { ...stale, status: 'queued', updatedAt: at(400) });
    assert.equal((await repo().get(live.id))?.status, 'saving');
    assert.equal((await repo().get(active.id))?.status, 'active');
    assert.equal((await repo().get(deleted.id, { includeDeleted: true }))?.status, 'deleted');
  });
});
