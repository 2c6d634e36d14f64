import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_URL, establish, resolveConnection } from './connection.js';

describe('resolveConnection', () => {
  it('prefers flags, then IMAGO_*, then the OpenStack variables', () => {
    const env = { IMAGO_URL: 'http://imago:1', OS_IMAGE_URL: 'http://os:2', IMAGO_TOKEN: 'imago-t', OS_TOKEN: 'os-t', OS_AUTH_TOKEN: 'auth-t' };
    assert.deepEqual(resolveConnection({ url: 'http://flag:3', token: 'flag-t' }, env), { baseUrl: 'http://flag:3', token: 'flag-t', authUrl: 'http://flag:3/identity/v3' });
    assert.deepEqual(resolveConnection({}, env), { baseUrl: 'http://imago:1', token: 'imago-t', authUrl: 'http://imago:1/identity/v3' });
    assert.deepEqual(resolveConnection({}, { OS_IMAGE_URL: 'http://os:2/v2', OS_AUTH_TOKEN: 'auth-t' }), { baseUrl: 'http://os:2/v2', token: 'auth-t', authUrl: 'http://os:2/identity/v3' });
    assert.deepEqual(resolveConnection({}, { OS_TOKEN: 'os-t', OS_AUTH_TOKEN: 'auth-t' }).token, 'os-t');
  });

  it('defaults to the local server without a token, ignoring empty variables', () => {
    assert.deepEqual(resolveConnection({}, { IMAGO_URL: '', IMAGO_TOKEN: ' ' }), { baseUrl: DEFAULT_URL, token: undefined, authUrl: `${DEFAULT_URL}/identity/v3` });
  });

  it('plans a password login from OS_AUTH_URL and the OS_* credentials when no token is given', () => {
    const env = {
      OS_AUTH_URL: 'http://keystone:5000/v3', OS_USERNAME: 'alice', OS_PASSWORD: 'pw', OS_PROJECT_NAME: 'team', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    assert.deepEqual(resolveConnection({}, env).login, {
      credentials: { kind: 'password', username: 'alice', password: 'pw', projectName: 'team', userDomain: 'Default', projectDomain: 'Default' },
      imageUrlGiven: false,
    });
    assert.equal(resolveConnection({}, env).authUrl, 'http://keystone:5000/v3');
    assert.equal(resolveConnection({ token: 't' }, env).login, undefined, 'a token wins');
    assert.equal(resolveConnection({}, { OS_USERNAME: 'alice', OS_PASSWORD: 'pw' }).login, undefined, 'no auth URL, no login');
  });

  it('prefers an application credential when one is set', () => {
    const login = resolveConnection({ url: 'http://imago:9' }, { OS_AUTH_URL: 'http://x/identity', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_APPLICATION_CREDENTIAL_ID: 'id1', OS_APPLICATION_CREDENTIAL_SECRET: 's1' }).login;
    assert.deepEqual(login, { credentials: { kind: 'application_credential', id: 'id1', secret: 's1' }, imageUrlGiven: true });
  });
});

describe('establish', () => {
  it('logs in and takes the token and the image endpoint from the catalog', async () => {
    const requests: Array<{ url: string; body: any }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      requests.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(JSON.stringify({ token: { catalog: [{ type: 'image', endpoints: [{ interface: 'public', url: 'http://images:9292' }] }] } }), {
        status: 201, headers: { 'x-subject-token': 'issued', 'content-type': 'application/json' },
      });
    }) as unknown as typeof fetch;
    const planned = resolveConnection({}, { OS_AUTH_URL: 'http://id:1/identity/', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'proj' });
    const connection = await establish(planned, fakeFetch);
    assert.deepEqual(connection, { baseUrl: 'http://images:9292', token: 'issued', authUrl: 'http://id:1/identity/' });
    assert.equal(requests[0]!.url, 'http://id:1/identity/v3/auth/tokens');
    assert.deepEqual(requests[0]!.body.auth.scope, { project: { name: 'proj', domain: { name: 'Default' } } });
  });
});
