import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../domain/errors.js';
import { parseListQuery, splitInList } from './image-list.params.js';

describe('splitInList', () => {
  it('splits on commas and keeps quoted commas', () => {
    assert.deepEqual(splitInList('a,b'), ['a', 'b']);
    assert.deepEqual(splitInList('"a,b",c'), ['a,b', 'c']);
    assert.deepEqual(splitInList('"say \\"hi\\"",x'), ['say "hi"', 'x']);
  });
  it('refuses empty items', () => {
    assert.throws(() => splitInList(''), BadRequestError);
    assert.throws(() => splitInList('a,,b'), BadRequestError);
  });
});

describe('parseListQuery', () => {
  it('defaults to created_at desc with no filters', () => {
    const params = parseListQuery({});
    assert.deepEqual(params.sort, [{ key: 'created_at', dir: 'desc' }]);
    assert.deepEqual(params.filters, []);
    assert.equal(params.limit, undefined);
  });

  it('reads in: lists, equality, booleans and sizes', () => {
    const params = parseListQuery({ status: 'in:active,queued', name: 'x', protected: 'true', size_min: '10', size_max: '20' });
    assert.deepEqual(params.filters, [
      { field: 'name', op: 'eq', value: 'x' },
      { field: 'status', op: 'in', values: ['active', 'queued'] },
      { field: 'protected', op: 'eq', value: true },
      { field: 'size', op: 'gte', value: 10 },
      { field: 'size', op: 'lte', value: 20 },
    ]);
  });

  it('reads time operators and bare timestamps as eq', () => {
    const [gt] = parseListQuery({ created_at: 'gt:2020-01-02T03:04:05Z' }).filters;
    assert.deepEqual(gt, { field: 'created_at', op: 'gt', value: new Date('2020-01-02T03:04:05Z') });
    const [eq] = parseListQuery({ updated_at: '2020-01-02T03:04:05Z' }).filters;
    assert.equal(eq?.op, 'eq');
    assert.throws(() => parseListQuery({ created_at: 'after:2020-01-02T03:04:05Z' }), /Invalid operator/);
  });

  it('pairs sort keys with directions, one direction applying to all', () => {
    assert.deepEqual(parseListQuery({ sort_key: ['name', 'size'], sort_dir: 'asc' }).sort, [{ key: 'name', dir: 'asc' }, { key: 'size', dir: 'asc' }]);
    assert.deepEqual(parseListQuery({ sort: 'name:asc,size' }).sort, [{ key: 'name', dir: 'asc' }, { key: 'size', dir: 'desc' }]);
    assert.throws(() => parseListQuery({ sort_key: ['name', 'size'], sort_dir: ['asc', 'desc', 'asc'] }), BadRequestError);
  });

  it('treats unknown parameters as custom property filters and repeated tags as AND', () => {
    const params = parseListQuery({ os_distro: 'debian', tag: ['a', 'b'] });
    assert.deepEqual(params.properties, { os_distro: 'debian' });
    assert.deepEqual(params.tags, ['a', 'b']);
  });
});
