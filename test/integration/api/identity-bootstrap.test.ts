/** First start without bootstrap_password: the admin password is generated, saved 0600, and works. */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { json, startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer(); });
after(async () => { await server?.close(); });

it('generates the admin password into <data_dir>/admin-password with mode 0600', async () => {
  const path = join(server.dataDir, 'admin-password');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const password = (await readFile(path, 'utf8')).trim();
  assert.ok(password.length >= 20);
  const login = await server.request('/identity/v3/auth/tokens', {
    ...json({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password } } } } }),
    token: null,
  });
  assert.equal(login.status, 201);
  const body = await login.json() as { token: { project: { name: string }; roles: Array<{ name: string }> } };
  assert.equal(body.token.project.name, 'admin', 'the admin project is the default project');
  assert.ok(body.token.roles.some((r) => r.name === 'admin'));
});
