/**
 * GET /v2/images/{id}/file?format=…: the stored image streams out re-encoded, and qemu-img
 * (the oracle) agrees the result holds the same disk. Also through `imago image download`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { hasCommand, requireTool } from '../../support/require-tool.js';
import { ADMIN_TOKEN, json, startTestServer, upload, type TestServer } from '../../support/server.js';

let server: TestServer;
let work: string;
let source: string;
let imageId: string;

before(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'imago-convert-dl-'));
  if (!hasCommand('qemu-img')) return;
  // 24 MiB virtual disk: random data, a zero gap, more data, and a ragged tail.
  const raw = join(work, 'disk.raw');
  await writeFile(raw, Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.alloc(12 * 1024 * 1024), randomBytes(9 * 1024 * 1024 - 4096)]));
  source = join(work, 'disk.qcow2');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, source]);
  const created = await server.request('/v2/images', json({ name: 'convertible', disk_format: 'qcow2', container_format: 'bare' }));
  imageId = ((await created.json()) as { id: string }).id;
  const put = await server.request(`/v2/images/${imageId}/file`, upload(await readFile(source)));
  assert.equal(put.status, 204);
});
after(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

const cases: Array<[string, string, string]> = [
  ['raw', '?format=raw', 'raw'],
  ['vmdk streamOptimized', '?format=vmdk', 'vmdk'],
  ['dynamic vhd', '?format=vhd', 'vpc'],
  ['fixed, MiB-aligned vhd', '?format=vhd&subformat=fixed&align=1MiB', 'vpc'],
  ['vhdx', '?format=vhdx', 'vhdx'],
  ['qcow2 (the stored format: served as is)', '?format=qcow2', 'qcow2'],
];

describe('download with conversion', () => {
  for (const [what, query, qemuFormat] of cases) {
    it(`streams the image as ${what}, identical to the source for qemu-img`, async (t) => {
      if (!requireTool(t, 'qemu-img')) return;
      const res = await server.request(`/v2/images/${imageId}/file${query}`);
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      const length = res.headers.get('content-length');
      if (length !== null) assert.equal(Number(length), body.length);
      const out = join(work, `out-${qemuFormat}-${body.length}`);
      await writeFile(out, body);
      execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', qemuFormat, source, out]);
    });
  }

  it('refuses unknown formats and misplaced options with 400', async () => {
    for (const query of ['?format=floppy', '?format=raw&subformat=fixed', '?format=vhd&subformat=thin', '?format=vhd&align=4k', '?subformat=fixed']) {
      const res = await server.request(`/v2/images/not-needed/file${query}`.replace('not-needed', imageId ?? '00000000-0000-4000-8000-000000000000'));
      assert.equal(res.status, 400, query);
    }
  });

  it('works through imago image download --format', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const out = join(work, 'cli.vmdk');
    // Asynchronously: the server answering the CLI runs in this very process.
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', '--url', server.url, '--token', ADMIN_TOKEN, 'image', 'download', imageId, '--format', 'vmdk', '-o', out]);
    execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'vmdk', source, out]);
  });
});
