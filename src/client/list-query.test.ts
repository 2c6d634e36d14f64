import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeListQuery, exactNameFilter } from './list-query.js';

describe('encodeListQuery', () => {
  it('repeats array values and skips undefined ones', () => {
    assert.equal(encodeListQuery({ tag: ['a', 'b'], limit: 5, name: undefined, protected: false }), '?tag=a&tag=b&limit=5&protected=false');
    assert.equal(encodeListQuery({}), '');
  });
});

describe('exactNameFilter', () => {
  it('quotes names that would read as an in: list', () => {
    assert.equal(exactNameFilter('debian'), 'debian');
    assert.equal(exactNameFilter('a,b'), 'a,b');
    assert.equal(exactNameFilter('in:x,"y"'), 'in:"in:x,\\"y\\""');
  });
});
