/**
 * The real OpenStack clients (python3-openstackclient and python3-glanceclient from Debian)
 * drive Imago with token authentication and Imago's endpoint, as a user would.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openstackCli, type OpenStackCli } from '../support/openstack-cli.js';
import { requireTool } from '../support/require-tool.js';
import { ADMIN_TOKEN, startTestServer, TOKENS, type TestServer } from '../support/server.js';

let server: TestServer;
let cli: OpenStackCli;
let work: string;
let file: string;
let md5: string;

const openstack = (token: string, ...args: string[]) => cli.openstackWithToken(server.url, token, ...args);
const glance = (token: string, ...args: string[]) => cli.glance(server.url, token, ...args);

before(async () => {
  server = await startTestServer();
  cli = await openstackCli();
  work = cli.home;
  file = join(work, 'disk.raw');
  const data = randomBytes(2 * 1024 * 1024 + 123);
  md5 = createHash('md5').update(data).digest('hex');
  await writeFile(file, data);
});
after(async () => {
  await server?.close();
  await cli?.close();
});

describe('openstack CLI', () => {
  it('creates, uploads, lists, shows, downloads, updates, tags, deactivates and deletes', async (t) => {
    if (!requireTool(t, 'openstack')) return;
    const created = JSON.parse(await openstack(TOKENS.projA, 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, '--property', 'os_distro=debian', '--tag', 'e2e', 'osc-image', '-f', 'json'));
    const id: string = created.id;
    // openstacksdk prints the record as created, before its upload; read it back.
    const uploaded = JSON.parse(await openstack(TOKENS.projA, 'image', 'show', id, '-f', 'json'));
    assert.equal(uploaded.status, 'active');
    assert.equal(uploaded.checksum, md5);

    const listed = JSON.parse(await openstack(TOKENS.projA, 'image', 'list', '-f', 'json'));
    assert.ok(listed.some((row: { ID: string }) => row.ID === id));

    await openstack(TOKENS.projA, 'image', 'set', '--property', 'os_version=12', '--tag', 'extra', '--min-ram', '256', id);
    const shown = JSON.parse(await openstack(TOKENS.projA, 'image', 'show', id, '-f', 'json'));
    assert.equal(shown.min_ram, 256);
    const props = typeof shown.properties === 'string' ? shown.properties : JSON.stringify(shown.properties);
    assert.match(props, /os_version/);
    assert.match(JSON.stringify(shown.tags), /extra/);

    const out = join(work, 'osc-download.raw');
    await openstack(TOKENS.projA, 'image', 'save', '--file', out, id);
    assert.equal(createHash('md5').update(await readFile(out)).digest('hex'), md5);

    await openstack(ADMIN_TOKEN, 'image', 'set', '--deactivate', id);
    assert.equal(JSON.parse(await openstack(TOKENS.projA, 'image', 'show', id, '-f', 'json')).status, 'deactivated');
    await openstack(ADMIN_TOKEN, 'image', 'set', '--activate', id);
    assert.equal(JSON.parse(await openstack(TOKENS.projA, 'image', 'show', id, '-f', 'json')).status, 'active');

    await openstack(TOKENS.projA, 'image', 'delete', id);
    const after = JSON.parse(await openstack(TOKENS.projA, 'image', 'list', '-f', 'json'));
    assert.ok(!after.some((row: { ID: string }) => row.ID === id));
  });
});

/** glanceclient prints `| Property | Value |` tables; this reads one into a record. */
function table(stdout: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const cells = /^\|\s*(.*?)\s*\|\s*(.*?)\s*\|$/.exec(line.trim());
    if (cells && cells[1] !== 'Property') rows[cells[1]!] = cells[2]!;
  }
  return rows;
}

describe('glance CLI', () => {
  it('creates, uploads, lists, shows, downloads, updates, tags, deactivates and deletes', async (t) => {
    if (!requireTool(t, 'glance')) return;
    const created = table(await glance(TOKENS.projA, 'image-create', '--name', 'glance-image', '--disk-format', 'raw', '--container-format', 'bare', '--property', 'os_distro=fedora', '--file', file));
    assert.equal(created.status, 'active');
    assert.equal(created.checksum, md5);
    const id = created.id!;

    assert.match(await glance(TOKENS.projA, 'image-list'), new RegExp(id));
    await glance(TOKENS.projA, 'image-update', '--property', 'os_version=40', '--min-disk', '1', id);
    await glance(TOKENS.projA, 'image-tag-update', id, 'from-glance');
    const shown = table(await glance(TOKENS.projA, 'image-show', id));
    assert.equal(shown.os_version, '40');
    assert.equal(shown.min_disk, '1');
    assert.match(shown.tags ?? '', /from-glance/);

    const out = join(work, 'glance-download.raw');
    await glance(TOKENS.projA, 'image-download', '--file', out, id);
    assert.equal(createHash('md5').update(await readFile(out)).digest('hex'), md5);

    await glance(ADMIN_TOKEN, 'image-deactivate', id);
    assert.equal(table(await glance(TOKENS.projA, 'image-show', id)).status, 'deactivated');
    await glance(ADMIN_TOKEN, 'image-reactivate', id);
    assert.equal(table(await glance(TOKENS.projA, 'image-show', id)).status, 'active');

    await glance(TOKENS.projA, 'image-delete', id);
    assert.doesNotMatch(await glance(TOKENS.projA, 'image-list'), new RegExp(id));
  });
});
