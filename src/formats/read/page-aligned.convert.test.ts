import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageAlignedBuffer, type WasmMemory } from './page-aligned.js';

/**
 * The memory of a shared WebAssembly.Memory is a SharedArrayBuffer that the engine freezes (the
 * WebAssembly JS API requires it); a SharedArrayBuffer made directly is an ordinary object.
 */
function isWasmMemory(buffer: Buffer): boolean {
  return Object.isFrozen(buffer.buffer);
}

test('convert/page-aligned: a buffer of exactly the size asked for, at the start of its own shared WebAssembly memory', () => {
  for (const size of [1, 4096, 65_536, 100_000, 4 * 1024 * 1024]) {
    const buffer = pageAlignedBuffer(size);
    assert.equal(buffer.length, size);
    assert.equal(buffer.byteOffset, 0);
    buffer.fill(0xa5);
    assert.equal(buffer[size - 1], 0xa5);
    assert.ok(buffer.buffer instanceof SharedArrayBuffer, `${size} bytes: shareable with a worker thread`);
    assert.ok(isWasmMemory(buffer), `${size} bytes: backed by a WebAssembly memory`);
  }
  assert.notEqual(pageAlignedBuffer(16).buffer, pageAlignedBuffer(16).buffer, 'each buffer has its own memory');
});

test('convert/page-aligned: without WebAssembly, or with its address space used up, an ordinary buffer does the work', () => {
  const exhausted = class {
    constructor() {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    }
  } as unknown as WasmMemory;
  for (const memory of [null, exhausted]) {
    const buffer = pageAlignedBuffer(70_000, memory);
    assert.equal(buffer.length, 70_000);
    assert.ok(buffer.buffer instanceof SharedArrayBuffer, 'still shareable');
    assert.ok(!isWasmMemory(buffer));
  }
});

test('convert/page-aligned: any other failure of WebAssembly.Memory is not hidden', () => {
  const broken = class {
    constructor() {
      throw new TypeError('not a descriptor');
    }
  } as unknown as WasmMemory;
  assert.throws(() => pageAlignedBuffer(4096, broken), TypeError);
});
