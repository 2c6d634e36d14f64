/**
 * The real python-openstackclient (Debian's package) logs in to Imago's own identity service
 * with a user name and password, and with an application credential, finds the image endpoint
 * in the returned catalog and drives the image API; and manages projects, users, roles and
 * application credentials through the identity API: no Keystone anywhere.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openstackCli, type OpenStackCli } from '../support/openstack-cli.js';
import { requireTool } from '../support/require-tool.js';
import { json, startTestServer, type TestServer } from '../support/server.js';

const ADMIN_PASSWORD = 'e2e-admin-password';
let server: TestServer;
let cli: OpenStackCli;
let file: string;

const openstack = (auth: string[], ...args: string[]) => cli.openstack([...auth, '--os-identity-api-version', '3'], ...args);

const password = (user: string, secret: string, project: string): string[] => [
  '--os-auth-url', `${server.url}/identity/v3`, '--os-username', user, '--os-password', secret, '--os-project-name', project,
  '--os-user-domain-name', 'Default', '--os-project-domain-name', 'Default',
];

before(async () => {
  server = await startTestServer({ bootstrap_password: ADMIN_PASSWORD });
  cli = await openstackCli();
  file = join(cli.home, 'disk.raw');
  await writeFile(file, Buffer.alloc(1024 * 1024 + 7, 1));
});
after(async () => {
  await server?.close();
  await cli?.close();
});

describe('openstack CLI with Imago as its identity service', () => {
  it('logs in with a password and creates, lists, shows and deletes an image', async (t) => {
    if (!requireTool(t, 'openstack')) return;
    const admin = password('admin', ADMIN_PASSWORD, 'admin');
    const created = JSON.parse(await openstack(admin, 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, 'pw-image', '-f', 'json'));
    const shown = JSON.parse(await openstack(admin, 'image', 'show', created.id, '-f', 'json'));
    assert.equal(shown.status, 'active');
    const listed = JSON.parse(await openstack(admin, 'image', 'list', '-f', 'json'));
    assert.ok(listed.some((row: { ID: string }) => row.ID === created.id));
    await openstack(admin, 'image', 'delete', created.id);
    const after = JSON.parse(await openstack(admin, 'image', 'list', '-f', 'json'));
    assert.ok(!after.some((row: { ID: string }) => row.ID === created.id));

    await assert.rejects(openstack(password('admin', 'wrong-password', 'admin'), 'image', 'list'), /401|authentication/i);
  });

  it('manages projects, users, roles and application credentials through Imago\'s identity API', async (t) => {
    if (!requireTool(t, 'openstack')) return;
    const admin = password('admin', ADMIN_PASSWORD, 'admin');
    const project = JSON.parse(await openstack(admin, 'project', 'create', '--description', 'made by openstack', 'osc-team', '-f', 'json'));
    assert.equal(project.name, 'osc-team');
    const user = JSON.parse(await openstack(admin, 'user', 'create', '--password', 'osc-user-password', '--project', 'osc-team', 'osc-user', '-f', 'json'));
    assert.equal(user.default_project_id, project.id);
    await openstack(admin, 'role', 'add', '--project', 'osc-team', '--user', 'osc-user', 'member');
    const assignments = JSON.parse(await openstack(admin, 'role', 'assignment', 'list', '--names', '--user', 'osc-user', '-f', 'json'));
    assert.deepEqual(assignments.map((a: { Role: string; Project: string }) => [a.Role, a.Project]), [['member', 'osc-team@Default']]);

    const member = password('osc-user', 'osc-user-password', 'osc-team');
    const token = JSON.parse(await openstack(member, 'token', 'issue', '-f', 'json'));
    assert.equal(token.project_id, project.id);
    const credential = JSON.parse(await openstack(member, 'application', 'credential', 'create', '--role', 'reader', 'osc-cred', '-f', 'json'));
    assert.equal(credential.project_id, project.id);
    assert.equal(typeof credential.secret, 'string');

    await openstack(admin, 'role', 'remove', '--project', 'osc-team', '--user', 'osc-user', 'member');
    await openstack(admin, 'user', 'delete', 'osc-user');
    await openstack(admin, 'project', 'delete', 'osc-team');
    const projects = JSON.parse(await openstack(admin, 'project', 'list', '-f', 'json'));
    assert.deepEqual(projects.map((p: { Name: string }) => p.Name), ['admin']);
  });

  it('logs in with an application credential', async (t) => {
    if (!requireTool(t, 'openstack')) return;
    const login = await server.request('/identity/v3/auth/tokens', {
      ...json({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: ADMIN_PASSWORD } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
      token: null,
    });
    const token = login.headers.get('x-subject-token')!;
    const userId = (await login.json() as { token: { user: { id: string } } }).token.user.id;
    const res = await server.request(`/identity/v3/users/${userId}/application_credentials`, { ...json({ application_credential: { name: 'e2e' } }), token });
    assert.equal(res.status, 201);
    const credential = (await res.json() as { application_credential: { id: string; secret: string } }).application_credential;
    const auth = [
      '--os-auth-type', 'v3applicationcredential', '--os-auth-url', `${server.url}/identity/v3`,
      '--os-application-credential-id', credential.id, '--os-application-credential-secret', credential.secret,
    ];
    const created = JSON.parse(await openstack(auth, 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, 'appcred-image', '-f', 'json'));
    const listed = JSON.parse(await openstack(auth, 'image', 'list', '-f', 'json'));
    assert.ok(listed.some((row: { ID: string }) => row.ID === created.id));
    await openstack(auth, 'image', 'delete', created.id);
  });
});
