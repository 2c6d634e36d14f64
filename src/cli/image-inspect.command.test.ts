import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { requireTool } from '../../test/support/require-tool.js';
import type { CliIo } from './cli-io.js';
import { main } from './main.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'imago-cli-inspect-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => { text += c.toString(); });
  const io: CliIo = { stdout, stderr: new PassThrough(), env: {}, waitForShutdown: () => new Promise(() => undefined) };
  return { code: await main(argv, io), stdout: text };
}

describe('imago image inspect', () => {
  it('reports the format and virtual size of an accepted image', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const file = join(dir, 'ok.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '2G'], { stdio: 'ignore' });
    const { code, stdout } = await run(['image', 'inspect', file]);
    assert.equal(code, 0);
    assert.match(stdout, /format\s+qcow2/);
    assert.match(stdout, /virtual_size\s+2\.0 GiB \(2147483648 bytes\)/);
    const json = await run(['--json', 'image', 'inspect', file]);
    assert.deepEqual({ ...JSON.parse(json.stdout), details: undefined, fileSize: undefined }, { ok: true, format: 'qcow2', virtualSize: 2 * 1024 ** 3, details: undefined, fileSize: undefined });
  });

  it('exits 1 with the reason for a refused image, and checks a declared format', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const base = join(dir, 'base.raw');
    const child = join(dir, 'child.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'raw', base, '1M'], { stdio: 'ignore' });
    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-b', base, '-F', 'raw', child], { stdio: 'ignore' });
    const refused = await run(['image', 'inspect', child]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /reason\s+backing_file/);
    const raw = join(dir, 'plain.raw');
    await writeFile(raw, Buffer.alloc(4096));
    assert.equal((await run(['image', 'inspect', raw, '--disk-format', 'raw'])).code, 0);
    const mismatch = await run(['image', 'inspect', raw, '--disk-format', 'qcow2']);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stdout, /reason\s+format_mismatch/);
  });
});
