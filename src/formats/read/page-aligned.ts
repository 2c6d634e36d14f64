/**
 * Buffers that start on a page boundary, for the large reads and writes of a conversion.
 *
 * Why: on this project's machine (AMD EPYC under KVM) the kernel copies between the page cache
 * and user memory with `rep movsb`, which runs about five times slower when the destination
 * lies 8 to 24 bytes past the source within a page. Reading 512 MiB from the page cache into a
 * reused 2 MiB buffer took 192-201 ms with the buffer 8, 16 or 24 bytes past a page boundary,
 * and 34-39 ms at 0 and at every offset tried from 32 to 4088 (docs/benchmarks.md, "Buffer
 * alignment"). glibc serves a malloc above its mmap threshold from a mapping of its own, 16
 * bytes past its start, so every 4 MiB `Buffer.allocUnsafeSlow` slab that a page-aligned read
 * filled took the slow copy.
 *
 * Node has no aligned allocation, but a WebAssembly.Memory is its own mapping and starts on a
 * page. It is made shared, so a worker thread can read into it (scan-thread.ts) without a copy.
 * Where WebAssembly is unavailable (node --jitless) or the engine refuses another memory, an
 * ordinary SharedArrayBuffer does the same work, only slower.
 */

const WASM_PAGE = 64 * 1024;

/** The part of the WebAssembly global used here; Node's type definitions leave it to lib.dom. */
export type WasmMemory = new (descriptor: { initial: number; maximum: number; shared: true }) => { readonly buffer: SharedArrayBuffer };
const Memory = (globalThis as { WebAssembly?: { Memory: WasmMemory } }).WebAssembly?.Memory ?? null;

/**
 * `size` bytes of shared memory (contents unspecified), starting on a page boundary where the
 * runtime allows it.
 * `memory` is WebAssembly.Memory (null where there is none), or what stands in for it in a test.
 */
export function pageAlignedBuffer(size: number, memory: WasmMemory | null = Memory): Buffer {
  if (memory !== null && size > 0) {
    try {
      const pages = Math.ceil(size / WASM_PAGE);
      return Buffer.from(new memory({ initial: pages, maximum: pages, shared: true }).buffer, 0, size);
    } catch (error) {
      // A RangeError means the engine has no address space for another memory; anything else is a bug.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return Buffer.from(new SharedArrayBuffer(size));
}
