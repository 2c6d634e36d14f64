/**
 * ImageRepository.list: multi-key sorting and marker pagination, with ties and NULLs — on every
 * dialect. The expected order comes from a small model of the rule: NULL is the smallest value,
 * and id breaks ties in the direction of the last sort key.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import type { ContainerFormat, DiskFormat, Image, ImageStatus, Visibility } from '../../../src/domain/image.js';
import type { SortKey, SortSpec } from '../../../src/domain/image-query.js';
import { forEachDialect } from '../../support/databases.js';
import { at, listQuery, makeImage } from './image-fixtures.js';

const cycle = <T>(values: readonly T[], i: number): T => values[i % values.length]!;

/** Cycles of different lengths give many ties on each key and few on their combinations. */
const IMAGES: Image[] = Array.from({ length: 24 }, (_, i) => makeImage({
  name: cycle(['b', null, 'a', '', 'c'], i),
  size: cycle([null, 10, 10, 2 ** 40, null, 5, 0], i),
  virtualSize: cycle([null, 100, 50], i),
  status: cycle<ImageStatus>(['active', 'queued', 'saving', 'active'], i),
  visibility: cycle<Visibility>(['public', 'private', 'shared', 'community', 'public'], i),
  diskFormat: cycle<DiskFormat | null>(['raw', null, 'qcow2', 'iso'], i),
  containerFormat: cycle<ContainerFormat | null>([null, 'bare', 'ova'], i),
  owner: cycle(['p1', null, 'p2'], i),
  minDisk: i % 3,
  minRam: (i % 2) * 512,
  createdAt: at(Math.floor(i / 3)),
  updatedAt: at(i % 4),
}));

function sortValue(image: Image, key: SortKey): string | number | null {
  switch (key) {
    case 'name': return image.name;
    case 'status': return image.status;
    case 'container_format': return image.containerFormat;
    case 'disk_format': return image.diskFormat;
    case 'owner': return image.owner;
    case 'visibility': return image.visibility;
    case 'size': return image.size;
    case 'virtual_size': return image.virtualSize;
    case 'min_disk': return image.minDisk;
    case 'min_ram': return image.minRam;
    case 'id': return image.id;
    case 'created_at': return image.createdAt.getTime();
    case 'updated_at': return image.updatedAt.getTime();
  }
}

function expectedOrder(images: Image[], sort: SortSpec[]): string[] {
  const keys: SortSpec[] = sort.length > 0 ? sort : [{ key: 'created_at', dir: 'desc' }];
  const full = keys.some((k) => k.key === 'id') ? keys : [...keys, { key: 'id' as const, dir: keys[keys.length - 1]!.dir }];
  const compare = (a: Image, b: Image): number => {
    for (const { key, dir } of full) {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      if (c !== 0) return dir === 'asc' ? c : -c;
    }
    return 0;
  };
  return [...images].sort(compare).map((i) => i.id);
}

const asc = (key: SortKey): SortSpec => ({ key, dir: 'asc' });
const desc = (key: SortKey): SortSpec => ({ key, dir: 'desc' });

const SORTS: SortSpec[][] = [
  [],
  [asc('name')], [desc('name')],
  [asc('size')], [desc('size')],
  [asc('name'), desc('size')], [desc('name'), asc('size')],
  [asc('status'), desc('created_at')], [asc('created_at')], [desc('updated_at'), asc('name')],
  [asc('id')], [desc('id'), asc('name')],
  [desc('disk_format'), asc('min_ram')], [asc('owner')], [desc('visibility')], [asc('virtual_size')],
  [asc('container_format'), desc('min_disk')], [desc('owner'), desc('container_format'), asc('virtual_size')],
  // One direction over NOT NULL keys: the row-value comparison path.
  [asc('min_disk'), asc('min_ram'), asc('created_at')], [desc('status'), desc('min_disk')],
];

const describeSort = (sort: SortSpec[]) => (sort.length === 0 ? 'the default order' : sort.map((s) => `${s.key} ${s.dir}`).join(', '));

forEachDialect((_dialect, catalog) => {
  const repo = () => new ImageRepository(catalog().db);
  const byId = new Map(IMAGES.map((i) => [i.id, i]));

  before(async () => {
    for (const image of IMAGES) await repo().create(image);
  });

  for (const sort of SORTS) {
    it(`sorts and pages by ${describeSort(sort)}`, async () => {
      const expected = expectedOrder(IMAGES, sort);
      const all = await repo().list(listQuery({ sort }));
      assert.deepEqual(all.map((i) => i.id), expected, 'one page holds everything in order');

      const walked: string[] = [];
      let marker: Image | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await repo().list(listQuery({ sort, limit: 5, ...(marker && { marker }) }));
        walked.push(...page.map((i) => i.id));
        if (page.length < 5) break;
        marker = page[page.length - 1];
      }
      assert.deepEqual(walked, expected, 'walking the pages yields every image once, in order');
    });
  }

  it('continues after a marker the filters exclude, at its place in the order', async () => {
    const sort = [asc('name'), desc('size')];
    const order = expectedOrder(IMAGES, sort);
    const marker = byId.get(order.find((id) => byId.get(id)!.status === 'queued')!)!;
    const after = order.slice(order.indexOf(marker.id) + 1).filter((id) => byId.get(id)!.status === 'active');
    const page = await repo().list(listQuery({ sort, marker, filters: [{ field: 'status', op: 'eq', value: 'active' }] }));
    assert.deepEqual(page.map((i) => i.id), after);
  });

  it('returns nothing after the last image', async () => {
    const last = expectedOrder(IMAGES, [])[IMAGES.length - 1]!;
    assert.deepEqual(await repo().list(listQuery({ marker: byId.get(last)! })), []);
  });
});
