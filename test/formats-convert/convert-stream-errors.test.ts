/** What happens when a stream cannot be converted: typed refusals, not crashes or hangs. */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ImagoError } from '../../src/domain/errors.js';
import { convert } from '../../src/formats/convert/convert.js';
import { requireTool } from '../support/require-tool.js';
import { qemuImg } from './qemu-fixtures.js';

const run = promisify(execFile);
let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const sink = () => new Writable({ write: (_chunk, _enc, done) => done() });

function hasReason(reason: string) {
  return (error: unknown) => error instanceof ImagoError && error.reason === reason;
}

test('convert: streamed inputs that cannot be converted forward-only are refused', async (t) => {
  if (!requireTool(t, 'qemu-img') || !requireTool(t, 'qemu-io')) return;
  dir = await mkdtemp(join(tmpdir(), 'imago-convert-stream-'));
  const inOrder = join(dir, 'in-order.qcow2');
  const outOfOrder = join(dir, 'out-of-order.qcow2');
  await qemuImg('create', '-q', '-f', 'qcow2', inOrder, '8M');
  await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 1 0 64k', '-c', 'write -P 2 4M 64k', inOrder]);
  // Written high offsets first: their 20 MiB of clusters precede cluster 0 in the file, further
  // back than a streamed qcow2 may reach.
  await qemuImg('create', '-q', '-f', 'qcow2', outOfOrder, '64M');
  await run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 2 32M 20M', '-c', 'write -P 1 0 64k', outOfOrder]);

  await t.test('layout-first outputs need a seekable input', async () => {
    for (const outputFormat of ['qcow2', 'vhdx', 'vhd'] as const) {
      await assert.rejects(
        convert({ input: { stream: createReadStream(inOrder) }, inputFormat: 'qcow2', outputFormat }),
        hasReason('convert.seekable_input_required'),
      );
    }
  });

  await t.test('a qcow2 whose clusters are not in virtual order', async () => {
    const result = await convert({ input: { stream: createReadStream(outOfOrder) }, inputFormat: 'qcow2', outputFormat: 'raw' });
    await assert.rejects(pipeline(result.stream, sink()), hasReason('format.not_streamable'));
  });

  await t.test('formats without a stream reader', async () => {
    await assert.rejects(
      convert({ input: { stream: createReadStream(inOrder) }, inputFormat: 'vhdx', outputFormat: 'raw' }),
      hasReason('convert.seekable_input_required'),
    );
  });

  await t.test('a truncated streamed qcow2', async () => {
    const result = await convert({ input: { stream: createReadStream(inOrder, { end: 300 * 1024 }) }, inputFormat: 'qcow2', outputFormat: 'raw' });
    await assert.rejects(pipeline(result.stream, sink()), hasReason('format.qcow2.truncated'));
  });
});
