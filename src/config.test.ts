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

  it('takes default quotas as whole numbers from -1 (unlimited, the default), sizes in MiB', () => {
    const defaults = loadConfig({ env: {} });
    assert.deepEqual([defaults.quotaImageCountTotal, defaults.quotaImageSizeTotal, defaults.quotaImageStageTotal, defaults.quotaImageCountUploading], [-1, -1, -1, -1]);
    const config = loadConfig({ env: { IMAGO_QUOTA_IMAGE_SIZE_TOTAL: '10240', IMAGO_QUOTA_IMAGE_COUNT_UPLOADING: '-1' }, overrides: { quota_image_count_total: 100 } });
    assert.equal(config.quotaImageSizeTotal, 10240);
    assert.equal(config.quotaImageCountUploading, -1);
    assert.equal(config.quotaImageCountTotal, 100);
    assert.throws(() => loadConfig({ env: { IMAGO_QUOTA_IMAGE_COUNT_TOTAL: '-2', IMAGO_QUOTA_IMAGE_SIZE_TOTAL: String(2 ** 40) } }),
      (err: ConfigError) => err.problems.length === 2 && /quota_image_count_total/.test(err.message) && /quota_image_size_total/.test(err.message));
  });

  it('reads image_member_quota (default 128, -1 unlimited) and resolves policy_file', () => {
    const defaults = loadConfig({ env: {} });
    assert.equal(defaults.imageMemberQuota, 128);
    assert.equal(defaults.policyFile, undefined);
    const config = loadConfig({ env: { IMAGO_IMAGE_MEMBER_QUOTA: '-1', IMAGO_POLICY_FILE: 'etc/policy.yaml' } });
    assert.equal(config.imageMemberQuota, -1);
    assert.equal(config.policyFile, join(process.cwd(), 'etc/policy.yaml'));
    assert.throws(() => loadConfig({ env: { IMAGO_IMAGE_MEMBER_QUOTA: '-2' } }), /image_member_quota/);
  });
});
