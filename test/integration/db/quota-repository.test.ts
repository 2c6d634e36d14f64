/** QuotaRepository: usage counts per owner and per-project overrides — on every dialect. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { QuotaRepository } from '../../../src/db/repositories/quota.repository.js';
import { at, makeImage } from './image-fixtures.js';
import { forEachDialect } from '../../support/databases.js';

forEachDialect((dialect, catalog) => {
  const images = () => new ImageRepository(catalog().db);
  const quotas = () => new QuotaRepository(catalog().db);

  it('counts images, committed bytes and uploads of one owner, leaving out deleted ones and other owners', async () => {
    const owner = `usage-${dialect}`;
    const big = 5 * 2 ** 40; // beyond 32 bits: the sum must stay exact
    for (const image of [
      makeImage({ owner, status: 'active', size: big }),
      makeImage({ owner, status: 'deactivated', size: 1000 }),
      makeImage({ owner, status: 'queued', size: null }),
      makeImage({ owner, status: 'saving', size: null }),
      makeImage({ owner, status: 'importing', size: null }),
      makeImage({ owner, status: 'killed', size: 7 }),
      makeImage({ owner: 'someone-else', status: 'active', size: 99 }),
    ]) await images().create(image);
    const gone = makeImage({ owner, status: 'active', size: 5000 });
    await images().create(gone);
    await images().markDeleted(gone.id, at(1));

    assert.deepEqual(await quotas().usage(owner), { imageCount: 5, imageBytes: big + 1000, uploadingCount: 2, stagedBytes: 0 });
    assert.deepEqual(await quotas().usage('project-without-images'), { imageCount: 0, imageBytes: 0, uploadingCount: 0, stagedBytes: 0 });
  });

  it('keeps overrides per project, replaces them on a second set and removes them one by one', async () => {
    const project = `overrides-${dialect}`;
    assert.deepEqual(await quotas().overrides(project), {});
    await quotas().setOverrides(project, { image_count_total: 10, image_size_total: 2048 }, at(1));
    await quotas().setOverrides(project, { image_size_total: -1, image_count_uploading: 0 }, at(2));
    await quotas().setOverrides(`${project}-other`, { image_count_total: 1 }, at(2));
    assert.deepEqual(await quotas().overrides(project), { image_count_total: 10, image_size_total: -1, image_count_uploading: 0 });
    assert.equal(await quotas().removeOverride(project, 'image_size_total'), true);
    assert.equal(await quotas().removeOverride(project, 'image_size_total'), false);
    assert.deepEqual(await quotas().overrides(project), { image_count_total: 10, image_count_uploading: 0 });
    assert.deepEqual(await quotas().overrides(`${project}-other`), { image_count_total: 1 });
  });

  it('answers usage from the covering owner index', async () => {
    const db = catalog().db;
    const query = sql`SELECT count(*), sum(coalesce(size, 0)) FROM images WHERE owner = 'x' AND status NOT IN ('deleted', 'killed')`;
    if (dialect === 'sqlite') {
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${query}`.execute(db);
      assert.match(plan.rows.map((r) => r.detail).join('\n'), /COVERING INDEX images_owner_status_size_idx/);
    } else {
      // A small table is read sequentially whatever the indexes; forbid that to see the choice.
      await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(trx);
        assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /images_owner_status_size_idx/);
      });
    }
  });
});
