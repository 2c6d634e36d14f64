import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { TerminalStream } from './cli-io.js';
import { formatProgress, ProgressBar, type ProgressState } from './progress.js';

const MiB = 1024 * 1024;
const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  label: 'upload disk.raw', done: 0, total: 100 * MiB, rate: undefined, elapsedMs: 0, finished: false, ...over,
});

describe('formatProgress', () => {
  it('shows bar, percent, bytes, rate and ETA', () => {
    const line = formatProgress(state({ done: 25 * MiB, rate: 5 * MiB, elapsedMs: 5000 }), 100);
    assert.match(line, /^upload disk\.raw {2}\[=+> *\] {3}25% {3}25\.0 MiB\/100\.0 MiB {2}5\.0 MiB\/s {4}ETA 0:15$/);
  });

  it('keeps the bar the same width whatever the numbers', () => {
    const widths = [0, 1, 50, 99].map((p) => /\[([^\]]*)\]/.exec(formatProgress(state({ done: p * MiB, rate: p === 0 ? undefined : MiB }), 100))![1]!.length);
    assert.equal(new Set(widths).size, 1);
  });

  it('fills the bar and reports the average rate and time when finished', () => {
    const line = formatProgress(state({ done: 100 * MiB, elapsedMs: 4000, finished: true }), 100);
    assert.match(line, /\[=+\] {2}100% {2}100\.0 MiB\/100\.0 MiB {2}25\.0 MiB\/s {3}in 0:04$/);
  });

  it('drops the bar on a narrow terminal and never exceeds the width', () => {
    const line = formatProgress(state({ done: 10 * MiB, rate: MiB }), 50);
    assert.ok(!line.includes('['));
    assert.ok(line.length <= 50);
  });

  it('shows bytes, rate and elapsed time when the total is unknown', () => {
    const line = formatProgress(state({ label: 'upload stdin', total: undefined, done: 3 * MiB, rate: MiB, elapsedMs: 3000 }), 100);
    assert.equal(line, 'upload stdin  3.0 MiB  1.0 MiB/s    0:03');
  });

  it('shortens long labels', () => {
    const line = formatProgress(state({ label: `download ${'x'.repeat(60)}` }), 200);
    assert.match(line, /^download x+… {2}\[/);
  });
});

function terminal(isTTY: boolean): { stream: TerminalStream; output: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, output: () => Buffer.concat(chunks).toString() };
}

describe('ProgressBar', () => {
  it('redraws at most once per interval and ends with a newline', () => {
    let now = 0;
    const { stream, output } = terminal(true);
    const bar = new ProgressBar(stream, 'upload x', { now: () => now, intervalMs: 100 });
    for (let i = 1; i <= 50; i += 1) {
      now = i * 10; // 50 updates over 500 ms
      bar.update(i * MiB, 50 * MiB);
    }
    bar.finish();
    const draws = output().split('\r').filter((s) => s !== '');
    assert.ok(draws.length >= 5 && draws.length <= 7, `${draws.length} redraws`);
    assert.match(draws.at(-1)!, /100%.*in 0:01?\x1b\[K\n$/);
  });

  it('measures the rate over recent samples', () => {
    let now = 0;
    const { stream, output } = terminal(true);
    const bar = new ProgressBar(stream, 'download x', { now: () => now });
    for (let i = 0; i <= 10; i += 1) {
      now = i * 200;
      bar.update(i * 2 * MiB, 100 * MiB); // 10 MiB/s
    }
    assert.match(output(), /10\.0 MiB\/s +ETA 0:08/);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { stream, output } = terminal(false);
    const bar = new ProgressBar(stream, 'upload x');
    bar.update(1, 2);
    bar.finish();
    assert.equal(output(), '');
    assert.equal(bar.enabled, false);
  });

  it('ends an interrupted line so the error starts on its own line', () => {
    const { stream, output } = terminal(true);
    const bar = new ProgressBar(stream, 'upload x');
    bar.update(1, 2);
    bar.abandon();
    bar.finish();
    assert.match(output(), /\n$/);
    assert.equal(output().split('\n').length, 2);
  });
});
