/**
 * The catalog commands run in-process (main() with captured output) against a real server:
 * image list --kind/--family, family list|show|latest|stale|retention, image latest, lineage,
 * stale and deprecate, for people and with --json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../../src/cli/testing/run-cli.js';
import { ADMIN_TOKEN, json, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer(); });
after(async () => { await server?.close(); });

async function imago(argv: string[], token: string = TOKENS.projA): Promise<CliRun> {
  return runCli(argv, { IMAGO_URL: server.url, IMAGO_TOKEN: token });
}

/** An active image; public and made by the admin unless a token is given. */
async function image(body: Record<string, unknown>, token: string = ADMIN_TOKEN): Promise<string> {
  const res = await server.request('/v2/images', { ...json({ disk_format: 'raw', container_format: 'bare', visibility: 'public', ...body }), token });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = await res.json() as { id: string };
  assert.equal((await server.request(`/v2/images/${id}/file`, { ...upload('bytes'), token })).status, 204);
  return id;
}

describe('imago family and image catalog commands', () => {
  let v1: string;
  let v2: string;
  let app: string;
  before(async () => {
    v1 = await image({ name: 'debian 12.1', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.1' });
    app = await image({ name: 'my-app', visibility: 'private', imago_base_image_id: v1 }, TOKENS.projA);
    await image({ name: 'wp', visibility: 'private', imago_kind: 'capsule', imago_family: 'wordpress', imago_base_image_id: v1, imago_manifest: { application: { name: 'wordpress', version: '6.5' } } }, TOKENS.projA);
    v2 = await image({ name: 'debian 12.2', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.2' });
  });

  it('filters image list by kind and family, and refuses an unknown kind', async () => {
    const listed = await imago(['image', 'list', '--kind', 'standard', '--family', 'debian-12', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string }>).map((i) => i.name), ['debian 12.2', 'debian 12.1']);
    const capsules = await imago(['image', 'list', '--kind', 'capsule']);
    assert.match(capsules.stdout, /\bwp\b/);
    assert.doesNotMatch(capsules.stdout, /debian/);
    const bad = await imago(['image', 'list', '--kind', 'golden']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid imago_kind value: golden/);
  });

  it('lists and shows families, and resolves the latest version', async () => {
    const list = await imago(['family', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Family +Versions +Latest +Latest version +Retention\n/);
    assert.match(list.stdout, new RegExp(`debian-12 +2 +${v2} +12\\.2`));
    const shown = await imago(['family', 'show', 'debian-12']);
    assert.match(shown.stdout, /^family +debian-12\nlatest +debian 12\.2/);
    assert.match(shown.stdout, /Version +ID +Name[^\n]*\n12\.2 [^\n]*\n12\.1 /);
    const latest = JSON.parse((await imago(['family', 'latest', 'debian-12', '--json'])).stdout) as { id: string };
    assert.equal(latest.id, v2);
    const same = JSON.parse((await imago(['image', 'latest', 'debian-12', '--json'])).stdout) as { id: string };
    assert.equal(same.id, v2);
    const missing = await imago(['family', 'show', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No image family nope/);
  });

  it('draws the lineage tree and reports stale images', async () => {
    const tree = await imago(['image', 'lineage', app]);
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, new RegExp(`^debian 12\\.1  ${v1}  \\[standard, debian-12 12\\.1\\]\\n└── my-app  ${app}  \\[custom\\]  <= this image\n$`));
    const root = await imago(['image', 'lineage', v1]);
    assert.match(root.stdout, /<= this image\n├── (my-app|wp) .*\n└── (my-app|wp) /);
    const json = JSON.parse((await imago(['image', 'lineage', app, '--json'])).stdout) as { ancestry: Array<{ id: string }>; descendants: unknown[] };
    assert.deepEqual(json.ancestry.map((a) => a.id), [app, v1]);

    const stale = await imago(['image', 'stale', 'my-app']);
    assert.equal(stale.code, 3);
    assert.match(stale.stdout, /STALE: built on debian 12\.1[^\n]*\n +newer base: debian 12\.2/);
    const family = await imago(['family', 'stale', 'debian-12']);
    assert.match(family.stdout, /my-app/);
    assert.match(family.stdout, /wp/);
  });

  it('deprecates with a replacement, warns on show, schedules with --at, and refuses bad times', async () => {
    const old = await image({ name: 'old-base' });
    const done = await imago(['image', 'deprecate', 'old-base', '--replacement', v2, '--json'], ADMIN_TOKEN);
    assert.equal(done.code, 0, done.stderr);
    assert.equal((JSON.parse(done.stdout) as { imago_deprecation: { state: string; replacement: string } }).imago_deprecation.replacement, v2);
    const shown = await imago(['image', 'show', old]);
    assert.equal(shown.code, 0);
    assert.equal(shown.stderr.trim(), `warning: image ${old} is deprecated; use ${v2} instead`);

    const later = await image({ name: 'later' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await imago(['image', 'deprecate', later, '--at', at, '--json'], ADMIN_TOKEN);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    const deprecation = (JSON.parse(scheduled.stdout) as { imago_deprecation: { state: string; deprecated: string } }).imago_deprecation;
    assert.equal(deprecation.state, 'active');
    assert.equal(deprecation.deprecated, at.replace(/\.\d{3}Z$/, 'Z'));

    const past = await imago(['image', 'deprecate', later, '--at', '2001-01-01T00:00:00Z'], ADMIN_TOKEN);
    assert.equal(past.code, 1);
    assert.match(past.stderr, /in the past/);
    const zoneless = await imago(['image', 'deprecate', later, '--at', 'tomorrow'], ADMIN_TOKEN);
    assert.equal(zoneless.code, 2);
    const deprecatedReplacement = await imago(['image', 'deprecate', later, '--replacement', old], ADMIN_TOKEN);
    assert.equal(deprecatedReplacement.code, 1);
    assert.match(deprecatedReplacement.stderr, /is itself deprecated/);
  });

  it('sets a family retention (admin) and reports what it retired', async () => {
    const res = await imago(['family', 'retention', 'debian-12', '--keep', '1'], ADMIN_TOKEN);
    assert.equal(res.code, 0, res.stderr);
    // 12.1 has images built on it, so retention leaves it alone.
    assert.match(res.stdout, /^family debian-12: keep 1, deprecate the rest; retired now: none\n$/);
    const denied = await imago(['family', 'retention', 'debian-12', '--keep', '1']);
    assert.equal(denied.code, 1);
    const usage = await imago(['family', 'retention', 'debian-12'], ADMIN_TOKEN);
    assert.equal(usage.code, 2);
  });
});
