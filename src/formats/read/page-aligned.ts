/**
 * Buffers that start on a page boundary, for the large reads and writes of a conversion.
 *
 * Why: on this project's machines (AMD EPYC under KVM) the kernel copies between the page cache
 * and user memory with `rep movsb`, and that copy runs about five times slower when the destination
 * lies 8 to 24 bytes past the source within a page (counting modulo the page size). Reading 2 GiB from the page cache into one
 * reused 2 MiB buffer took 0.80 s with the buffer 8, 16 or 24 bytes past a page boundary, and
 * 0.14 s at 0 and at every offset tried from 32 to 4088 (docs/benchmarks.md, "Buffer
 * alignment"). glibc serves every large malloc from its own mapping, 16 bytes past the page
 * boundary, so every `Buffer.allocUnsafeSlow` slab that a page-aligned read filled took the
 * slow copy.
 *
 * Node has no aligned allocation, but a WebAssembly.Memory is its own mapping and starts on a
 * page. Where WebAssembly is unavailable (node --jitless) or the engine refuses another memory,
 * an ordinary buffer does the same work, only slower.
 */

const WASM_PAGE = 64 * 1024;

/** The part of the WebAssembly global used here; Node's type definitions leave it to lib.dom. */
export type WasmMemory = new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
const Memory = (globalThis as { WebAssembly?: { Memory: WasmMemory } }).WebAssembly?.Memory ?? null;

/**
 * `size` bytes (contents unspecified) starting on a page boundary where the runtime allows it.
 * `memory` is WebAssembly.Memory (null where there is none), or what stands in for it in a test.
 */
export function pageAlignedBuffer(size: number, memory: WasmMemory | null = Memory): Buffer {
  if (memory !== null && size > 0) {
    try {
      return Buffer.from(new memory({ initial: Math.ceil(size / WASM_PAGE) }).buffer, 0, size);
    } catch (error) {
      // A RangeError means the engine has no address space for another memory; anything else is a bug.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return Buffer.allocUnsafeSlow(size);
}
