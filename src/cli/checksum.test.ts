import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { Md5Tap, normalizeMd5 } from './checksum.js';

describe('normalizeMd5', () => {
  it('accepts Glance\'s hex and RFC 1864 base64, answering lowercase hex', () => {
    const digest = createHash('md5').update('imago').digest();
    assert.equal(normalizeMd5(digest.toString('hex').toUpperCase()), digest.toString('hex'));
    assert.equal(normalizeMd5(digest.toString('base64')), digest.toString('hex'));
    assert.equal(normalizeMd5('not-a-digest'), undefined);
    assert.equal(normalizeMd5(null), undefined);
  });
});

describe('Md5Tap', () => {
  it('passes bytes through while hashing and counting them', async () => {
    const chunks = [Buffer.from('hello '), Buffer.from('world')];
    const tap = new Md5Tap();
    const received: Buffer[] = [];
    await pipeline(Readable.from(chunks), tap, new Writable({ write(chunk, _e, cb) { received.push(chunk); cb(); } }));
    assert.equal(Buffer.concat(received).toString(), 'hello world');
    assert.equal(tap.bytes, 11);
    assert.equal(tap.digest(), createHash('md5').update('hello world').digest('hex'));
  });
});
