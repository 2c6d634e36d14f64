import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 9292);
    assert.equal(config.host, '127.0.0.1');
    assert.match(config.databaseUrl, /^sqlite:.*data\/imago\.db$/);
    assert.equal(config.imageSizeCap, 1024 ** 4);
    assert.ok(Object.isFrozen(config));
  });

  it('lets the environment win over the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imago-config-'));
    const file = join(dir, 'imago.yaml');
    await writeFile(file, 'port: 1234\nlog_level: warn\ntokens:\n  - { token: abcdefgh, project: p, roles: [reader] }\n');
    const config = loadConfig({ env: { IMAGO_PORT: '4321' }, file });
    assert.equal(config.port, 4321);
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.tokens, [{ token: 'abcdefgh', project: 'p', roles: ['reader'] }]);
  });

  it('reads project tokens from the environment format', () => {
    const config = loadConfig({ env: { IMAGO_TOKENS: 'tokentoken:proj,other-token:p2:reader+member' } });
    assert.deepEqual(config.tokens, [
      { token: 'tokentoken', project: 'proj', roles: ['member', 'reader'] },
      { token: 'other-token', project: 'p2', roles: ['reader', 'member'] },
    ]);
  });

  it('reports every bad key in one error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imago-config-'));
    const file = join(dir, 'imago.yaml');
    await writeFile(file, 'colour: blue\n');
    try {
      loadConfig({ env: { IMAGO_PORT: 'http', IMAGO_LOG_LEVEL: 'loud', IMAGO_DATABASE_URL: 'mysql://x' }, file });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4, err.message);
    }
  });
});
