/**
 * `imago quota …` against a real Imago: the commands run in-process through main() (the
 * spawning is covered by cli.test.ts), with the client talking HTTP to the test server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../src/cli/testing/run-cli.js';
import { ADMIN_TOKEN, startTestServer, TOKENS, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ quota_image_size_total: 10240 }); });
after(async () => { await server?.close(); });

async function imago(argv: string[], token: string = ADMIN_TOKEN): Promise<CliRun> {
  return runCli(argv, { IMAGO_URL: server.url, IMAGO_TOKEN: token });
}

describe('imago quota', () => {
  it('shows the caller\'s own usage as a table, or Glance\'s document with --json', async () => {
    const table = await imago(['quota', 'show'], TOKENS.projA);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^QUOTA\s+LIMIT\s+USAGE\s+UNIT$/m);
    assert.match(table.stdout, /^image_size_total\s+10240\s+0\s+MiB$/m);
    assert.match(table.stdout, /^image_count_total\s+unlimited\s+0\s+images$/m);
    const json = await imago(['quota', 'show', '--json'], TOKENS.projA);
    assert.deepEqual(JSON.parse(json.stdout).usage.image_size_total, { limit: 10240, usage: 0 });
  });

  it('sets, shows and unsets a project\'s overrides (admin)', async () => {
    const set = await imago(['quota', 'set', 'cli-p', '--image-count-total', '5', '--image-size-total=unlimited', '--json']);
    assert.equal(set.code, 0, set.stderr);
    const document = JSON.parse(set.stdout);
    assert.deepEqual(document.quotas.image_count_total, { limit: 5, usage: 0, default: -1, override: 5 });
    assert.deepEqual(document.quotas.image_size_total, { limit: -1, usage: 0, default: 10240, override: -1 });
    const shown = await imago(['quota', 'show', 'cli-p']);
    assert.match(shown.stdout, /^image_count_total\s+5\s+0\s+images\s+unlimited\s+5$/m);
    assert.match(shown.stdout, /^image_stage_total\s+unlimited\s+0\s+MiB\s+unlimited\s+-$/m);
    const unset = await imago(['quota', 'unset', 'cli-p', 'image_count_total', 'image_size_total']);
    assert.equal(unset.code, 0, unset.stderr);
    const after = JSON.parse((await imago(['quota', 'show', 'cli-p', '--json'])).stdout);
    assert.equal(after.quotas.image_count_total.override, null);
    assert.equal(after.quotas.image_size_total.limit, 10240);
  });

  it('reports mistakes as usage errors (exit 2) and refusals by the server (exit 1)', async () => {
    assert.equal((await imago(['quota', 'set', 'cli-p'])).code, 2);
    assert.equal((await imago(['quota', 'set', 'cli-p', '--image-count-total', 'many'])).code, 2);
    assert.equal((await imago(['quota', 'unset', 'cli-p', 'image_bytes'])).code, 2);
    assert.equal((await imago(['quota', 'frobnicate'])).code, 2);
    const denied = await imago(['quota', 'set', 'cli-p', '--image-count-total', '1'], TOKENS.projA);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /manage_quotas/);
  });
});
