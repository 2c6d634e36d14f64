import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatRate } from './units.js';

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
    assert.equal(formatBytes(1024 ** 4), '1.0 TiB');
  });

  it('carries a value that would round up to 1024 into the next unit', () => {
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
  });

  it('marks impossible values', () => {
    assert.equal(formatBytes(-1), '?');
    assert.equal(formatBytes(Number.NaN), '?');
  });

  it('formats rates', () => {
    assert.equal(formatRate(10 * 1024 * 1024), '10.0 MiB/s');
  });
});

describe('formatDuration', () => {
  it('shows minutes and seconds, and hours when needed', () => {
    assert.equal(formatDuration(7), '0:07');
    assert.equal(formatDuration(754), '12:34');
    assert.equal(formatDuration(3723), '1:02:03');
  });

  it('gives up on estimates that are useless', () => {
    assert.equal(formatDuration(Infinity), '--:--');
    assert.equal(formatDuration(100 * 3600), '--:--');
    assert.equal(formatDuration(-1), '--:--');
  });
});
