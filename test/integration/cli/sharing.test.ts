/**
 * The sharing commands run in-process (main() with captured output) against a real server:
 * share, accept, reject, member list and unshare, for people and with --json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../../src/cli/testing/run-cli.js';
import { json, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer(); });
after(async () => { await server?.close(); });

async function imago(argv: string[], token: string = TOKENS.projA): Promise<CliRun> {
  return runCli(argv, { IMAGO_URL: server.url, IMAGO_TOKEN: token });
}

async function newImage(name: string, visibility = 'shared'): Promise<string> {
  const res = await server.request('/v2/images', { ...json({ name, disk_format: 'raw', container_format: 'bare', visibility }), token: TOKENS.projA });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

const listedNames = async (token: string): Promise<string[]> =>
  (JSON.parse((await imago(['image', 'list', '--json'], token)).stdout) as Array<{ name: string }>).map((i) => i.name);

describe('imago image share / accept / reject / unshare', () => {
  it('shares by name, lets the member accept by name, lists members, and unshares', async () => {
    const id = await newImage('cli-shared');
    const shared = await imago(['image', 'share', 'cli-shared', 'project-b']);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stdout, /^Shared image cli-shared \(.*\) with project project-b; it stays pending/);
    assert.ok(!(await listedNames(TOKENS.projB)).includes('cli-shared'), 'pending: not listed yet');

    const accepted = await imago(['image', 'accept', 'cli-shared'], TOKENS.projB);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /^Accepted image cli-shared/);
    assert.ok((await listedNames(TOKENS.projB)).includes('cli-shared'));

    const listed = await imago(['member', 'list', id]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^Member +Status +Created +Updated\nproject-b +accepted /);

    const rejected = await imago(['image', 'reject', id, '--json'], TOKENS.projB);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.equal((JSON.parse(rejected.stdout) as { status: string }).status, 'rejected');
    assert.ok(!(await listedNames(TOKENS.projB)).includes('cli-shared'));

    const unshared = await imago(['image', 'unshare', id, 'project-b']);
    assert.equal(unshared.code, 0, unshared.stderr);
    assert.match(unshared.stdout, /is no longer shared with project project-b/);
    assert.equal((await imago(['image', 'accept', id], TOKENS.projB)).code, 1, 'no longer visible to project b');
  });

  it('prints members as a JSON array with --json', async () => {
    const id = await newImage('cli-json');
    const shared = await imago(['image', 'share', id, 'project-c', '--json']);
    assert.equal((JSON.parse(shared.stdout) as { member_id: string; status: string }).status, 'pending');
    const listed = JSON.parse((await imago(['member', 'list', id, '--json'])).stdout) as Array<{ member_id: string }>;
    assert.deepEqual(listed.map((m) => m.member_id), ['project-c']);
  });

  it('explains what to do when the image is not shared, or when the owner tries to accept', async () => {
    await newImage('cli-private', 'private');
    const refused = await imago(['image', 'share', 'cli-private', 'project-b']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is private, and only shared images have members: first run 'imago image update cli-private --visibility shared'/);

    const id = await newImage('cli-two');
    await imago(['image', 'share', id, 'project-b']);
    await imago(['image', 'share', id, 'project-c']);
    assert.match((await imago(['image', 'accept', id])).stderr, /has 2 members, so you are probably its owner/);
    const forbidden = await imago(['image', 'accept', id, '--project', 'project-b']);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /not authorized to complete modify_member/);
  });

  it('reports wrong calls as usage errors', async () => {
    const missing = await imago(['image', 'share', 'only-one']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /usage: imago image share IMAGE PROJECT/);
    assert.match((await imago(['member', '--help'])).stdout, /^usage: imago member COMMAND/);
  });
});
