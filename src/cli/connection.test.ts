import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_URL, resolveConnection } from './connection.js';

describe('resolveConnection', () => {
  it('prefers flags, then IMAGO_*, then the OpenStack variables', () => {
    const env = { IMAGO_URL: 'http://imago:1', OS_IMAGE_URL: 'http://os:2', IMAGO_TOKEN: 'imago-t', OS_TOKEN: 'os-t', OS_AUTH_TOKEN: 'auth-t' };
    assert.deepEqual(resolveConnection({ url: 'http://flag:3', token: 'flag-t' }, env), { baseUrl: 'http://flag:3', token: 'flag-t' });
    assert.deepEqual(resolveConnection({}, env), { baseUrl: 'http://imago:1', token: 'imago-t' });
    assert.deepEqual(resolveConnection({}, { OS_IMAGE_URL: 'http://os:2', OS_AUTH_TOKEN: 'auth-t' }), { baseUrl: 'http://os:2', token: 'auth-t' });
    assert.deepEqual(resolveConnection({}, { OS_TOKEN: 'os-t', OS_AUTH_TOKEN: 'auth-t' }).token, 'os-t');
  });

  it('defaults to the local server without a token, ignoring empty variables', () => {
    assert.deepEqual(resolveConnection({}, { IMAGO_URL: '', IMAGO_TOKEN: ' ' }), { baseUrl: DEFAULT_URL, token: undefined });
  });
});
