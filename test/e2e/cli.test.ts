/**
 * The `imago` CLI as a user runs it: a child process (from source, through tsx) against a
 * real Imago with a temporary data directory. Output is piped, as in scripts, so it must be
 * free of progress-bar escape codes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ImageClient } from '../../src/client/image-client.js';
import type { ImageRecord } from '../../src/client/image-types.js';
import { ADMIN_TOKEN, startTestServer, TOKENS, type TestServer } from '../support/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

let server: TestServer;
let work: string;
let file: string;
let data: Buffer;

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `imago ARGS` with the project token unless another is given. */
async function imago(args: string[], token: string = TOKENS.projA): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_') && !k.startsWith('IMAGO_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: root,
    env: { ...env, IMAGO_URL: server.url, IMAGO_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [stdout, stderr, code] = await Promise.all([
    buffer(child.stdout),
    buffer(child.stderr),
    new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1))),
  ]);
  return { code, stdout, stderr: stderr.toString() };
}

async function ok(args: string[], token?: string): Promise<string> {
  const run = await imago(args, token);
  assert.equal(run.code, 0, `imago ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /[\r\x1b]/, 'no progress output when stderr is not a terminal');
  return run.stdout.toString();
}

const showJson = async (ref: string): Promise<ImageRecord> => JSON.parse(await ok(['image', 'show', ref, '--json'])) as ImageRecord;

before(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'imago-cli-'));
  data = randomBytes(3 * 1024 * 1024 + 321);
  file = join(work, 'disk.raw');
  await writeFile(file, data);
});
after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('imago image', () => {
  let id: string;

  it('creates an image and uploads its file', async () => {
    const created = JSON.parse(await ok(['image', 'create', 'cli-debian', '--file', file, '--property', 'os_distro=debian', '--tag', 'e2e', '--min-disk', '1', '--json'])) as ImageRecord;
    id = created.id;
    assert.equal(created.status, 'active');
    assert.equal(created.size, data.length);
    assert.equal(created.checksum, md5(data));
    assert.equal(created.os_distro, 'debian');
    assert.deepEqual(created.tags, ['e2e']);
    assert.equal(created.min_disk, 1);
    assert.equal(created.disk_format, 'raw');
  });

  it('lists images as a table and as JSON, with filters and paging', async () => {
    const table = await ok(['image', 'list']);
    assert.match(table, /^ID +Name +Status +Visibility +Kind +Disk +Size\n/);
    assert.match(table, new RegExp(`${id}  cli-debian  active  shared +custom +raw +3\\.0 MiB`));

    const listed = JSON.parse(await ok(['image', 'list', '--json', '--property', 'os_distro=debian', '--tag', 'e2e'])) as ImageRecord[];
    assert.deepEqual(listed.map((image) => image.id), [id]);
    assert.deepEqual(JSON.parse(await ok(['image', 'list', '--json', '--tag', 'no-such-tag'])), []);

    await ok(['image', 'create', 'cli-second']);
    const firstPage = JSON.parse(await ok(['image', 'list', '--json', '--limit', '1'])) as ImageRecord[];
    assert.equal(firstPage.length, 1);
    const all = JSON.parse(await ok(['image', 'list', '--json', '--limit', '1', '--all', '--sort', 'name:asc'])) as ImageRecord[];
    assert.deepEqual(all.map((image) => image.name), ['cli-debian', 'cli-second']);
  });

  it('shows an image by name or id', async () => {
    const table = await ok(['image', 'show', 'cli-debian']);
    assert.match(table, new RegExp(`^id +${id}$`, 'm'));
    assert.match(table, new RegExp(`^checksum +${md5(data)}$`, 'm'));
    assert.match(table, /^os_distro +debian$/m);
    assert.match(table, new RegExp(`^size +3\\.0 MiB \\(${data.length} bytes\\)$`, 'm'));
    assert.equal((await showJson(id)).name, 'cli-debian');
  });

  it('updates properties and boot requirements with JSON-patch', async () => {
    await ok(['image', 'update', id, '--property', 'os_version=12', '--property', 'os_distro=debian-bookworm', '--min-ram', '256']);
    let image = await showJson(id);
    assert.equal(image.os_version, '12');
    assert.equal(image.os_distro, 'debian-bookworm');
    assert.equal(image.min_ram, 256);
    await ok(['image', 'update', 'cli-debian', '--remove-property', 'os_version', '--name', 'cli-debian-12']);
    image = await showJson(id);
    assert.equal(image.os_version, undefined);
    assert.equal(image.name, 'cli-debian-12');
  });

  it('adds and removes tags', async () => {
    await ok(['image', 'tag', id, 'extra', 'more']);
    assert.deepEqual([...(await showJson(id)).tags].sort(), ['e2e', 'extra', 'more']);
    await ok(['image', 'tag', id, 'more', '--remove']);
    assert.deepEqual([...(await showJson(id)).tags].sort(), ['e2e', 'extra']);
  });

  it('downloads to a file and to stdout, verified against the MD5', async () => {
    const out = join(work, 'copy.raw');
    await ok(['image', 'download', id, '-o', out]);
    assert.equal(md5(await readFile(out)), md5(data));
    assert.deepEqual((await readdir(work)).filter((name) => name.endsWith('.part')), [], 'no temporary file left behind');

    const piped = await imago(['image', 'download', 'cli-debian-12']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '');
    assert.equal(md5(piped.stdout), md5(data));
  });

  it('downloads a range through the client', async () => {
    const client = new ImageClient({ baseUrl: server.url, token: TOKENS.projA });
    const download = await client.downloadImageData(id, { range: { start: 1000, end: 70_999 } });
    assert.equal(download.status, 206);
    assert.deepEqual(download.contentRange, { start: 1000, end: 70_999, size: data.length });
    assert.ok((await buffer(download.stream)).equals(data.subarray(1000, 71_000)));
  });

  it('deactivates and reactivates as the owner\'s member or admin, not as another project', async () => {
    const refused = await imago(['image', 'deactivate', id], TOKENS.projB);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^imago: .+\n$/);

    await ok(['image', 'deactivate', id], ADMIN_TOKEN);
    assert.equal((await showJson(id)).status, 'deactivated');
    const blocked = await imago(['image', 'download', id, '-o', join(work, 'blocked.raw')]);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /^imago: /);
    await ok(['image', 'reactivate', id], ADMIN_TOKEN);
    assert.equal((await showJson(id)).status, 'active');
  });

  it('refuses a second upload to an image that has data', async () => {
    const run = await imago(['image', 'upload', id, file]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `imago: image ${id} is active: only a queued image accepts data\n`);
  });

  it('uploads to a queued image', async () => {
    const queued = JSON.parse(await ok(['image', 'create', 'cli-later', '--json'])) as ImageRecord;
    assert.equal(queued.status, 'queued');
    await ok(['image', 'upload', 'cli-later', file]);
    const image = await showJson(queued.id);
    assert.equal(image.status, 'active');
    assert.equal(image.checksum, md5(data));
    await ok(['image', 'delete', queued.id]);
  });

  it('fails with exit code 1 for images that do not exist or names that are ambiguous', async () => {
    const missing = await imago(['image', 'show', 'no-such-image']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "imago: no image found with id or name 'no-such-image'\n");
    assert.equal((await imago(['image', 'show', randomUUID()])).code, 1);

    const a = JSON.parse(await ok(['image', 'create', 'twin', '--json'])) as ImageRecord;
    const b = JSON.parse(await ok(['image', 'create', 'twin', '--json'])) as ImageRecord;
    const ambiguous = await imago(['image', 'show', 'twin']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /2 images are named 'twin'/);
    assert.match(ambiguous.stderr, new RegExp(a.id));
    assert.match(ambiguous.stderr, new RegExp(b.id));
    await ok(['image', 'delete', a.id, b.id]);
  });

  it('fails with exit code 2 and a usage line when called wrongly', async () => {
    const run = await imago(['image', 'show']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: imago image show IMAGE/);
  });

  it('deletes images', async () => {
    await ok(['image', 'delete', id, 'cli-second']);
    const listed = JSON.parse(await ok(['image', 'list', '--json'])) as ImageRecord[];
    assert.deepEqual(listed, []);
    const gone = await imago(['image', 'delete', id]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^imago: cannot delete /);
  });
});
