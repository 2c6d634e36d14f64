import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('identity configuration', () => {
  it('defaults to one-hour tokens and a generated bootstrap password', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.tokenTtlSeconds, 3600);
    assert.equal(config.bootstrapPassword, undefined);
  });

  it('reads token_ttl_seconds and bootstrap_password from the environment', () => {
    const config = loadConfig({ env: { IMAGO_TOKEN_TTL_SECONDS: '14400', IMAGO_BOOTSTRAP_PASSWORD: 'long-enough' } });
    assert.equal(config.tokenTtlSeconds, 14400);
    assert.equal(config.bootstrapPassword, 'long-enough');
  });

  it('refuses a short bootstrap password and an out-of-range lifetime', () => {
    assert.throws(() => loadConfig({ env: { IMAGO_TOKEN_TTL_SECONDS: '5', IMAGO_BOOTSTRAP_PASSWORD: 'short' } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 2);
      return true;
    });
  });
});
