/** An operator policy file: loaded at start, overriding single defaults, or stopping the start with every problem named. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { json, startTestServer, TOKENS, upload } from '../../support/server.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'imago-policy-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

describe('policy_file', () => {
  it('overrides single rules and keeps the other defaults', async () => {
    const file = join(dir, 'policy.yaml');
    await writeFile(file, [
      '# project members may (de|re)activate their own images',
      'deactivate: "rule:context_is_admin or (role:member and project_id:%(project_id)s)"',
      "add_image: '!'",
    ].join('\n'));
    const server = await startTestServer({ policy_file: file });
    try {
      const created = await server.request('/v2/images', { ...json({ name: 'x', disk_format: 'raw', container_format: 'bare' }), token: TOKENS.projA });
      assert.equal(created.status, 403, 'add_image is closed to everyone but...');
      const res = await server.request('/v2/images', json({ name: 'x', disk_format: 'raw', container_format: 'bare', owner: 'project-a' }));
      assert.equal(res.status, 403, '...admins too, since the rule is !');
    } finally {
      await server.close();
    }
  });

  it('keeps deactivation for admins when the file says so, leaving reactivate at its default', async () => {
    const file = join(dir, 'deactivate.json');
    await writeFile(file, JSON.stringify({ deactivate: 'rule:context_is_admin' }));
    const server = await startTestServer({ policy_file: file });
    try {
      const created = await server.request('/v2/images', { ...json({ name: 'x', disk_format: 'raw', container_format: 'bare' }), token: TOKENS.projA });
      const { id } = await created.json() as { id: string };
      assert.equal((await server.request(`/v2/images/${id}/file`, { ...upload('data'), token: TOKENS.projA })).status, 204);
      assert.equal((await server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST', token: TOKENS.projA })).status, 403);
      assert.equal((await server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST' })).status, 204, 'the admin still may');
      assert.equal((await server.request(`/v2/images/${id}/actions/reactivate`, { method: 'POST', token: TOKENS.projA })).status, 204, 'reactivate kept its default');
    } finally {
      await server.close();
    }
  });

  it('stops the start, naming every problem in the file', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'get_image: "role:reader or"\nmodify_imge: "role:admin"\nadd_member: "rule:owner"\n');
    await assert.rejects(startTestServer({ policy_file: file }), (err: Error) => {
      assert.match(err.message, /^invalid policy file .*broken\.yaml:/);
      assert.match(err.message, /get_image: syntax error in "role:reader or"/);
      assert.match(err.message, /modify_imge: not an action Imago knows/);
      assert.match(err.message, /add_member: refers to rule:owner, which is not defined/);
      return true;
    });
  });

  it('stops the start when the file cannot be read or parsed', async () => {
    await assert.rejects(startTestServer({ policy_file: join(dir, 'missing.yaml') }), /invalid policy file .*missing\.yaml:\n {2}- cannot be read/);
    const file = join(dir, 'list.yaml');
    await writeFile(file, '- role:admin\n');
    await assert.rejects(startTestServer({ policy_file: file }), /the top level must be a mapping/);
  });
});
