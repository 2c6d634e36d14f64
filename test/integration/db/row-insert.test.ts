/** insertRow: SQL built once per table and columns, values new each time, on every dialect. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { toRow } from '../../../src/db/repositories/image-row.mapper.js';
import { insertRow } from '../../../src/db/row-insert.js';
import { forEachDialect } from '../../support/databases.js';
import { makeImage } from './image-fixtures.js';

forEachDialect((_dialect, catalog) => {
  it('inserts each row with its own values, whatever was inserted before with the same columns', async () => {
    const db = catalog().db;
    const images = [makeImage({ name: 'one', size: 1 }), makeImage({ name: null, size: null }), makeImage({ name: 'three', protected: true })];
    await insertRow(db, 'images', toRow(images[0]!));
    await insertRow(db, 'images', toRow(images[1]!));
    await db.transaction().execute((trx) => insertRow(trx, 'images', toRow(images[2]!)));
    const repo = new ImageRepository(db);
    for (const image of images) assert.deepEqual(await repo.get(image.id), image);
  });

  it('leaves out a column whose value is undefined, as Kysely does, each time', async () => {
    const db = catalog().db;
    const image = makeImage();
    await insertRow(db, 'images', toRow(image));
    const tag = (value: string | undefined) => ({ image_id: image.id, value: value as string });
    // value is NOT NULL, so an insert without the column fails.
    await assert.rejects(insertRow(db, 'image_tags', tag(undefined)), /null/i);
    await insertRow(db, 'image_tags', tag('kept'));
    await assert.rejects(insertRow(db, 'image_tags', tag(undefined)), /null/i);
    assert.deepEqual((await new ImageRepository(db).get(image.id))?.tags, ['kept']);
  });
});
