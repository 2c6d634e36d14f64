/**
 * glanceclient's md-* commands drive Imago's metadefs catalog (Debian's openstackclient has no
 * metadef commands, so glance is the client that exercises this API).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openstackCli, type OpenStackCli } from '../support/openstack-cli.js';
import { requireTool } from '../support/require-tool.js';
import { ADMIN_TOKEN, startTestServer, TOKENS, type TestServer } from '../support/server.js';

let server: TestServer;
let cli: OpenStackCli;

before(async () => {
  server = await startTestServer();
  cli = await openstackCli();
});
after(async () => {
  await server?.close();
  await cli?.close();
});

describe('metadefs through glanceclient', () => {
  it('glance md-*: namespaces, properties, objects and tags', async (t) => {
    if (!requireTool(t, 'glance')) return;
    const glance = (token: string, ...args: string[]) => cli.glance(server.url, token, ...args);
    assert.match(await glance(TOKENS.projA, 'md-namespace-list'), /OS::Compute::Libvirt\b/);
    assert.match(await glance(TOKENS.projA, 'md-namespace-show', 'OS::Compute::Libvirt'), /imago_validation\s*\|\s*warn/);
    await glance(ADMIN_TOKEN, 'md-namespace-create', 'Glc::Test', '--visibility', 'public');
    await glance(ADMIN_TOKEN, 'md-property-create', 'Glc::Test', '--name', 'p1', '--title', 'P1', '--schema', '{"type": "integer", "minimum": 1}');
    await glance(ADMIN_TOKEN, 'md-object-create', 'Glc::Test', '--name', 'o1', '--schema', '{"properties": {"x": {"type": "string", "title": "X"}}}');
    await glance(ADMIN_TOKEN, 'md-tag-create-multiple', 'Glc::Test', '--names', 'a,b');
    const shown = await glance(TOKENS.projA, 'md-namespace-show', 'Glc::Test');
    assert.match(shown, /p1/);
    assert.match(shown, /o1/);
    assert.match(await glance(TOKENS.projA, 'md-property-list', 'OS::Compute::Libvirt'), /firmware_type/);
    await glance(ADMIN_TOKEN, 'md-namespace-delete', 'Glc::Test');
  });
});
