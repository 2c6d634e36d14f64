import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { requireTool } from '../../test/support/require-tool.js';
import type { CliIo } from './cli-io.js';
import { main } from './main.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'imago-cli-convert-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => { text += c.toString(); });
  const io: CliIo = { stdout: new PassThrough(), stderr, env: {}, waitForShutdown: () => new Promise(() => undefined) };
  return { code: await main(argv, io), stderr: text };
}

describe('imago image convert', () => {
  it('converts the inspected input to each output format, identical for qemu-img', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const raw = join(dir, 'disk.raw');
    await writeFile(raw, Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(3 * 1024 * 1024), randomBytes(512 * 1024)]));
    const qcow2 = join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    for (const [format, qemu, extra] of [['vmdk', 'vmdk', []], ['vhd', 'vpc', ['--vhd-fixed', '--align-1mib']], ['vhdx', 'vhdx', []], ['raw', 'raw', []]] as const) {
      const out = join(dir, `out.${format}`);
      const { code, stderr } = await run(['image', 'convert', qcow2, out, '--format', format, ...extra]);
      assert.equal(code, 0, stderr);
      execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', qemu, qcow2, out]);
    }
  });

  it('refuses a hostile input before converting it, and bad options as usage errors', async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    const base = join(dir, 'base.raw');
    const child = join(dir, 'child.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'raw', base, '1M'], { stdio: 'ignore' });
    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-b', base, '-F', 'raw', child], { stdio: 'ignore' });
    const out = join(dir, 'never.raw');
    const refused = await run(['image', 'convert', child, out, '--format', 'raw']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /backing_file/);
    await assert.rejects(access(out), 'nothing was written');
    assert.equal((await run(['image', 'convert', child, out, '--format', 'floppy'])).code, 2);
    assert.equal((await run(['image', 'convert', child, out, '--format', 'raw', '--vhd-fixed'])).code, 2);
  });
});
