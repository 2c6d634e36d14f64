import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const service = { IMAGO_KEYSTONE_USERNAME: 'glance', IMAGO_KEYSTONE_PASSWORD: 'secret', IMAGO_KEYSTONE_PROJECT_NAME: 'service' };

describe('loadConfig: Keystone mode', () => {
  it('is off unless keystone_url is set', () => {
    assert.equal(loadConfig({ env: {} }).keystone, undefined);
  });

  it('reads the IMAGO_KEYSTONE_* variables, with defaults for the domains and the cache', () => {
    const config = loadConfig({ env: { IMAGO_KEYSTONE_URL: 'http://127.0.0.1:5000/v3', ...service } });
    assert.deepEqual(config.keystone, {
      url: 'http://127.0.0.1:5000/v3', username: 'glance', password: 'secret', projectName: 'service',
      userDomain: 'Default', projectDomain: 'Default', cacheSeconds: 300,
    });
  });

  it("accepts Keystone's root URL as well as its /v3", () => {
    for (const url of ['http://ks:5000', 'http://ks:5000/', 'http://ks:5000/v3/', 'http://ks:5000/v3']) {
      assert.equal(loadConfig({ env: { IMAGO_KEYSTONE_URL: url, ...service } }).keystone?.url, 'http://ks:5000/v3', url);
    }
  });

  it('takes the domains and cache time from the file or the environment', () => {
    const config = loadConfig({
      env: { IMAGO_KEYSTONE_CACHE_SECONDS: '0' },
      overrides: { keystone_url: 'https://id.example/identity/v3', keystone_username: 'u', keystone_password: 'p', keystone_project_name: 'svc', keystone_user_domain: 'Users', keystone_project_domain: 'Services' },
    });
    assert.equal(config.keystone?.userDomain, 'Users');
    assert.equal(config.keystone?.projectDomain, 'Services');
    assert.equal(config.keystone?.cacheSeconds, 0);
  });

  it('reports every missing or bad Keystone key in one error', () => {
    assert.throws(() => loadConfig({ env: { IMAGO_KEYSTONE_URL: 'ks:5000', IMAGO_KEYSTONE_CACHE_SECONDS: '-1' } }), (err: ConfigError) => {
      assert.deepEqual(err.problems.sort(), [
        'keystone_cache_seconds: must be a whole number from 0 to 86400',
        'keystone_password: required with keystone_url',
        'keystone_project_name: required with keystone_url',
        'keystone_url: must be an http(s) URL',
        'keystone_username: required with keystone_url',
      ]);
      return true;
    });
  });

  it('refuses service credentials without keystone_url (a likely typo)', () => {
    assert.throws(() => loadConfig({ env: service }), /keystone_username: only used together with keystone_url/);
  });
});
