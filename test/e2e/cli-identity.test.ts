/**
 * The `imago` CLI with Imago's own identity: logging in from OS_* variables (password and
 * application credential, image URL from the catalog) and the user, project, role and
 * credential commands, each as a child process against a real server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_PASSWORD = 'cli-admin-password';
let server: TestServer;

interface Run { code: number; stdout: string; stderr: string }

/** Runs `imago ARGS` with only the given OS_* variables (no token, no IMAGO_URL). */
async function imago(args: string[], osEnv: Record<string, string>): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_') && !k.startsWith('IMAGO_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], { cwd: root, env: { ...env, ...osEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const [stdout, stderr, code] = await Promise.all([
    buffer(child.stdout), buffer(child.stderr), new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1))),
  ]);
  return { code, stdout: stdout.toString(), stderr: stderr.toString() };
}

async function ok(args: string[], osEnv: Record<string, string>): Promise<any> {
  const run = await imago(args, osEnv);
  assert.equal(run.code, 0, `imago ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return args.includes('--json') ? JSON.parse(run.stdout) : run.stdout;
}

const passwordEnv = (user: string, password: string, project: string): Record<string, string> => ({
  OS_AUTH_URL: `${server.url}/identity/v3`, OS_USERNAME: user, OS_PASSWORD: password, OS_PROJECT_NAME: project,
  OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
});

before(async () => { server = await startTestServer({ bootstrap_password: ADMIN_PASSWORD }); });
after(async () => { await server?.close(); });

describe('imago identity commands', () => {
  it('manage projects, users, roles and credentials, logging in with OS_* variables', async () => {
    const admin = passwordEnv('admin', ADMIN_PASSWORD, 'admin');
    const project = await ok(['project', 'create', 'cli-team', '--description', 'from the CLI', '--json'], admin);
    assert.equal(project.name, 'cli-team');
    const user = await ok(['user', 'create', 'erin', '--password', 'erin-password', '--project', 'cli-team', '--json'], admin);
    assert.equal(user.default_project_id, project.id);
    await ok(['role', 'add', '--user', 'erin', '--project', 'cli-team', 'member'], admin);
    const assignments = await ok(['role', 'assignment', 'list', '--user', 'erin', '--effective', '--json'], admin);
    assert.deepEqual(assignments.map((a: any) => a.role.name).sort(), ['member', 'reader']);
    assert.deepEqual((await ok(['role', 'list', '--json'], admin)).map((r: any) => r.name).sort(), ['admin', 'member', 'reader']);
    assert.ok((await ok(['user', 'list', '--json'], admin)).some((u: any) => u.name === 'erin'));
    assert.match(await ok(['project', 'list'], admin), /cli-team\s+true\s+from the CLI/);

    const erin = passwordEnv('erin', 'erin-password', 'cli-team');
    assert.deepEqual(await ok(['image', 'list', '--json'], erin), [], 'the image URL came from the catalog');
    const credential = await ok(['credential', 'create', 'ci', '--role', 'reader', '--json'], erin);
    assert.equal(typeof credential.secret, 'string');
    const viaCredential = {
      OS_AUTH_URL: `${server.url}/identity/v3`, OS_APPLICATION_CREDENTIAL_ID: credential.id, OS_APPLICATION_CREDENTIAL_SECRET: credential.secret,
    };
    assert.deepEqual(await ok(['image', 'list', '--json'], viaCredential), []);
    assert.deepEqual((await ok(['credential', 'list', '--json'], erin)).map((c: any) => c.name), ['ci']);
    await ok(['credential', 'delete', 'ci'], erin);
    assert.equal((await imago(['image', 'list'], viaCredential)).code, 1, 'a deleted credential logs in no more');

    const denied = await imago(['user', 'list'], erin);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /not authorized/);
    const wrong = await imago(['image', 'list'], passwordEnv('erin', 'not-her-password', 'cli-team'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /requires authentication/);

    await ok(['role', 'remove', '--user', 'erin', '--project', 'cli-team', 'member'], admin);
    await ok(['user', 'delete', 'erin'], admin);
    await ok(['project', 'delete', 'cli-team'], admin);
    assert.deepEqual(await ok(['project', 'list', '--name', 'cli-team', '--json'], admin), []);
  });

  it('takes project names where the image API wants ids, when the caller may look projects up', async () => {
    const admin = passwordEnv('admin', ADMIN_PASSWORD, 'admin');
    const owners = await ok(['project', 'create', 'owners', '--json'], admin);
    const guests = await ok(['project', 'create', 'guests', '--json'], admin);
    for (const [user, project] of [['olga', 'owners'], ['gus', 'guests']] as const) {
      await ok(['user', 'create', user, '--password', `${user}-password`, '--project', project], admin);
      await ok(['role', 'add', '--user', user, '--project', project, 'member'], admin);
    }
    const olga = passwordEnv('olga', 'olga-password', 'owners');
    const gus = passwordEnv('gus', 'gus-password', 'guests');
    const image = await ok(['image', 'create', 'team-image', '--visibility', 'shared', '--json'], olga);
    // A member may not look other projects up (as in Keystone), so it shares by id; an admin may use the name.
    await ok(['image', 'share', 'team-image', guests.id], olga);
    await ok(['image', 'unshare', image.id, 'guests'], admin);
    assert.deepEqual(await ok(['member', 'list', 'team-image', '--json'], olga), [], 'the admin named the same membership');
    await ok(['image', 'share', image.id, 'guests'], admin);
    const members = await ok(['member', 'list', 'team-image', '--json'], olga);
    assert.deepEqual(members.map((m: any) => m.member_id), [guests.id], 'the membership is keyed by the project id');
    await ok(['image', 'accept', image.id], gus);
    assert.deepEqual((await ok(['image', 'list', '--json'], gus)).map((i: any) => i.id), [image.id]);

    await ok(['quota', 'set', 'owners', '--image-count-total', '7'], admin);
    const usage = await ok(['quota', 'show', '--json'], olga);
    assert.deepEqual(usage.usage.image_count_total, { limit: 7, usage: 1 }, 'the override applies to the project by id');
    assert.equal((await ok(['quota', 'show', owners.id, '--json'], admin)).project_id, owners.id);
  });
});
