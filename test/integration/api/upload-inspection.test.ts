/**
 * Uploads are inspected in flight: the real format and virtual size are recorded, and hostile
 * or mislabelled images are refused with 415 and a stable reason, leaving the image queued and
 * no bytes behind. Test images are made with qemu-img (the oracle; never run on user input).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasCommand, requireTool } from '../../support/require-tool.js';
import { json, startTestServer, upload, type TestServer } from '../../support/server.js';

let server: TestServer;
let work: string;
before(async () => {
  server = await startTestServer({ max_virtual_size: 64 * 1024 * 1024 * 1024 });
  work = await mkdtemp(join(tmpdir(), 'imago-inspect-'));
});
after(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

function qemuImg(...args: string[]): void {
  execFileSync('qemu-img', args, { stdio: 'ignore' });
}

async function imageWith(diskFormat: string): Promise<string> {
  const res = await server.request('/v2/images', json({ name: 'inspected', disk_format: diskFormat, container_format: 'bare' }));
  return ((await res.json()) as { id: string }).id;
}

async function put(id: string, file: string): Promise<{ status: number; body: any }> {
  const res = await server.request(`/v2/images/${id}/file`, upload(await readFile(file)));
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

async function storedObjects(): Promise<string[]> {
  try { return await readdir(join(server.dataDir, 'images', 'objects', 'images')); } catch { return []; }
}

describe('upload inspection', () => {
  it('records the virtual size of a valid qcow2', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const file = join(work, 'ok.qcow2');
    qemuImg('create', '-f', 'qcow2', file, '3G');
    const id = await imageWith('qcow2');
    assert.equal((await put(id, file)).status, 204);
    const image = await (await server.request(`/v2/images/${id}`)).json() as { status: string; virtual_size: number };
    assert.equal(image.status, 'active');
    assert.equal(image.virtual_size, 3 * 1024 ** 3);
  });

  const refusals: Array<[string, string, (file: string) => void, string]> = [
    ['a qcow2 with a backing file', 'qcow2', (file) => {
      qemuImg('create', '-f', 'raw', `${file}.base`, '1M');
      qemuImg('create', '-f', 'qcow2', '-b', `${file}.base`, '-F', 'raw', file);
    }, 'format.backing_file'],
    ['a qcow2 declared as raw', 'raw', (file) => qemuImg('create', '-f', 'qcow2', file, '1G'), 'format.mismatch'],
    ['a qcow2 above the virtual size limit', 'qcow2', (file) => qemuImg('create', '-f', 'qcow2', file, '100G'), 'format.virtual_size_too_large'],
    ['a vmdk declared as qcow2', 'qcow2', (file) => qemuImg('create', '-f', 'vmdk', file, '1G'), 'format.mismatch'],
  ];
  for (const [what, declared, make, reason] of refusals) {
    it(`refuses ${what} with 415 (${reason}), keeping the image queued and no bytes`, async (t) => {
      if (!hasCommand('qemu-img') && !requireTool(t, 'qemu-img')) return;
      const file = join(work, `${reason}-${declared}.img`);
      make(file);
      const before = await storedObjects();
      const id = await imageWith(declared);
      const { status, body } = await put(id, file);
      assert.equal(status, 415, JSON.stringify(body));
      assert.equal(body.error.reason, reason);
      assert.ok(body.error.message.length > 0);
      const image = await (await server.request(`/v2/images/${id}`)).json() as { status: string; size: number | null };
      assert.equal(image.status, 'queued');
      assert.equal(image.size, null);
      assert.deepEqual(await storedObjects(), before);
      assert.deepEqual(await readdir(join(server.dataDir, 'images', 'staging')), []);
    });
  }
});
