import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIVE, closesCycle, compareVersions, DEFAULT_CATALOG, latestOf, newestFirst, nextTransitionAt, selectForRetirement, stateAt,
  type Deprecation,
} from './catalog.js';
import type { Image } from './image.js';

const T = (s: number) => new Date(Date.UTC(2030, 0, 1) + s * 1000);

function image(id: string, version: string | null, created: number, extra: Partial<Image> = {}, deprecation: Deprecation = ACTIVE): Image {
  return {
    id, name: id, status: 'active', visibility: 'public', protected: false, osHidden: false, owner: 'p', diskFormat: 'raw', containerFormat: 'bare',
    minDisk: 0, minRam: 0, size: 1, virtualSize: 1, checksum: null, osHashAlgo: null, osHashValue: null, location: null,
    createdAt: T(created), updatedAt: T(created), tags: [], properties: {},
    catalog: { ...DEFAULT_CATALOG, family: 'f', version, deprecation },
    ...extra,
  };
}

describe('compareVersions', () => {
  it('orders numeric parts numerically and words before numbers', () => {
    const sorted = ['12.10', '12.9', '12.1', '2', '12.1-rc1', '2024.01.15', '2023.12.31', '1.0a', '1.0'].sort(compareVersions);
    assert.deepEqual(sorted, ['1.0', '1.0a', '2', '12.1', '12.1-rc1', '12.9', '12.10', '2023.12.31', '2024.01.15']);
    assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
    assert.equal(compareVersions('99999999999999999999.1', '99999999999999999999.0'), 1);
  });
});

describe('newestFirst and latestOf', () => {
  it('orders by version, then by creation time; versioned images before unversioned', () => {
    const images = [image('a', '1.9', 3), image('b', '1.10', 1), image('c', null, 9), image('d', null, 5), image('e', '1.10', 2)];
    assert.deepEqual(images.sort(newestFirst).map((i) => i.id), ['e', 'b', 'a', 'c', 'd']);
  });

  it('skips hidden, inactive and deprecated versions, including ones whose deprecation has come due', () => {
    const now = T(100);
    const versions = [
      image('hidden', '5', 1, { osHidden: true }),
      image('queued', '4', 1, { status: 'queued' }),
      image('deprecated', '3', 1, {}, { ...ACTIVE, state: 'deprecated' }),
      image('due', '2', 1, {}, { ...ACTIVE, deprecatedAt: T(50) }),
      image('ok', '1', 1),
    ];
    assert.equal(latestOf(versions, now)?.id, 'ok');
    assert.equal(latestOf(versions.slice(0, 3), now), undefined);
  });
});

describe('deprecation schedule', () => {
  const scheduled: Deprecation = { state: 'active', replacement: null, deprecatedAt: T(10), obsoleteAt: T(20), deletedAt: T(30) };

  it('moves through the states as their times come, never back', () => {
    assert.equal(stateAt(scheduled, T(5)), 'active');
    assert.equal(stateAt(scheduled, T(10)), 'deprecated');
    assert.equal(stateAt(scheduled, T(25)), 'obsolete');
    assert.equal(stateAt(scheduled, T(99)), 'deleted');
    assert.equal(stateAt({ ...scheduled, state: 'obsolete' }, T(15)), 'obsolete');
  });

  it('names the next pending transition, skipping those the state has passed', () => {
    assert.deepEqual(nextTransitionAt(scheduled), T(10));
    assert.deepEqual(nextTransitionAt({ ...scheduled, state: 'deprecated' }), T(20));
    assert.equal(nextTransitionAt({ ...scheduled, state: 'deleted' }), null);
    assert.equal(nextTransitionAt(ACTIVE), null);
  });
});

describe('selectForRetirement', () => {
  it('keeps the newest N and never retires protected images or images with descendants', () => {
    const versions = [
      image('v1', '1', 1), image('v2', '2', 2, { protected: true }), image('v3', '3', 3), image('v4', '4', 4), image('v5', '5', 5),
      image('v0', '0', 0, { status: 'deleted' }),
    ];
    const retired = selectForRetirement(versions, 2, (id) => id === 'v3', 'deprecated');
    assert.deepEqual(retired.map((i) => i.id), ['v1']);
  });

  it('leaves versions already at or past the target state alone', () => {
    const versions = [image('v1', '1', 1, {}, { ...ACTIVE, state: 'obsolete' }), image('v2', '2', 2), image('v3', '3', 3)];
    assert.deepEqual(selectForRetirement(versions, 1, () => false, 'deprecated').map((i) => i.id), ['v2']);
    assert.deepEqual(selectForRetirement(versions, 1, () => false, 'deleted').map((i) => i.id), ['v2', 'v1']);
  });
});

describe('closesCycle', () => {
  it('is true when the image is among the new base and its ancestors', () => {
    assert.equal(closesCycle('a', ['b', 'c', 'a']), true);
    assert.equal(closesCycle('a', ['a']), true);
    assert.equal(closesCycle('a', ['b', 'c']), false);
  });
});
