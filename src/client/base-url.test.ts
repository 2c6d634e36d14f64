import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeBaseUrl } from './base-url.js';

describe('normalizeBaseUrl', () => {
  it('accepts the endpoint with or without /v2 and a trailing slash', () => {
    assert.equal(normalizeBaseUrl('http://h:9292/'), 'http://h:9292');
    assert.equal(normalizeBaseUrl('http://h:9292/v2'), 'http://h:9292');
    assert.equal(normalizeBaseUrl('https://h/image/v2/'), 'https://h/image');
  });

  it('refuses what is not an http(s) URL', () => {
    assert.throws(() => normalizeBaseUrl('h:9292'), /only http and https/);
    assert.throws(() => normalizeBaseUrl('not a url'), /invalid server URL/);
  });
});
