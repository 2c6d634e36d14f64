/**
 * `imago metadef …` against a real Imago: the commands run in-process through main() (the
 * spawning is covered by cli.test.ts), with the client talking HTTP to the test server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../../src/cli/testing/run-cli.js';
import { ADMIN_TOKEN, startTestServer, TOKENS, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ list_limit_default: 3 }); });
after(async () => { await server?.close(); });

async function imago(argv: string[], token: string = ADMIN_TOKEN): Promise<CliRun> {
  return runCli(argv, { IMAGO_URL: server.url, IMAGO_TOKEN: token });
}

describe('imago metadef', () => {
  it('lists every namespace across pages as a table, or as JSON', async () => {
    const table = await imago(['metadef', 'namespace', 'list'], TOKENS.projA);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAMESPACE\s+VISIBILITY\s+PROTECTED\s+VALIDATION\s+RESOURCE TYPES$/m);
    assert.match(table.stdout, /^OS::Compute::Libvirt\s+public\s+yes\s+warn\s+OS::Glance::Image \(hw_\)$/m);
    const json = JSON.parse((await imago(['metadef', 'namespace', 'list', '--json', '--resource-type', 'OS::Nova::Flavor'])).stdout) as Array<{ namespace: string }>;
    assert.ok(json.length > 3, 'more than one page of the default limit');
    assert.ok(json.every((n) => n.namespace !== 'OS::Compute::LibvirtImage'), 'filtered by resource type');
  });

  it('creates, shows and deletes a namespace (admin)', async () => {
    const created = await imago(['metadef', 'namespace', 'create', 'Site::Rules', '--public', '--validation', 'strict', '--resource-type', 'OS::Glance::Image:site_', '--description', 'ours']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^validation\s+strict$/m);
    assert.match(created.stdout, /^resource_types\s+OS::Glance::Image \(site_\)$/m);
    const shown = JSON.parse((await imago(['metadef', 'namespace', 'show', 'Site::Rules', '--json'])).stdout);
    assert.equal(shown.description, 'ours');
    assert.equal((await imago(['metadef', 'namespace', 'create', 'Mine'], TOKENS.projA)).code, 1);
    const deleted = await imago(['metadef', 'namespace', 'delete', 'Site::Rules']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await imago(['metadef', 'namespace', 'show', 'Site::Rules'])).code, 1);
  });

  it('lists and shows property definitions, and lists resource types', async () => {
    const list = await imago(['metadef', 'property', 'list', 'OS::Compute::Libvirt'], TOKENS.projA);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^firmware_type\s+string\s+Firmware\s+one of uefi, bios$/m);
    const show = await imago(['metadef', 'property', 'show', 'OS::Compute::VirtCPUTopology', 'cpu_sockets']);
    assert.match(show.stdout, /^type\s+integer$/m);
    assert.match(show.stdout, /^allowed\s+1\.\.$/m);
    const types = await imago(['metadef', 'resource-type', 'list', '--json']);
    assert.ok((JSON.parse(types.stdout) as Array<{ name: string }>).some((t) => t.name === 'OS::Glance::Image'));
  });

  it('reports wrong calls as usage errors (exit 2)', async () => {
    assert.equal((await imago(['metadef', 'namespace'])).code, 2);
    assert.equal((await imago(['metadef', 'namespace', 'frobnicate'])).code, 2);
    assert.equal((await imago(['metadef', 'property', 'show', 'only-namespace'])).code, 2);
    assert.equal((await imago(['metadef', 'namespace', 'create', 'x', '--validation', 'loud'])).code, 2);
  });
});
