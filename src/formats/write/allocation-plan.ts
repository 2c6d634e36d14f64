/**
 * The planning pass of writers that put their tables before the data (qcow2, VHD dynamic,
 * VHDX): which output blocks will hold data. One bit per block, so its size is proportional to
 * virtual size / block size. Built from a SeekableDisk's map, which never calls data "zero".
 */
import type { MapExtent } from '../read/disk.js';

export class AllocationPlan {
  readonly blockCount: number;
  private readonly bits: Uint8Array;
  private allocatedCount = 0;

  constructor(readonly size: number, readonly blockSize: number) {
    this.blockCount = Math.ceil(size / blockSize);
    this.bits = new Uint8Array(Math.ceil(this.blockCount / 8));
  }

  static async fromMap(map: AsyncIterable<MapExtent>, size: number, blockSize: number): Promise<AllocationPlan> {
    const plan = new AllocationPlan(size, blockSize);
    for await (const extent of map) {
      if (extent.kind !== 'data' || extent.length === 0) continue;
      const last = Math.floor((extent.offset + extent.length - 1) / blockSize);
      for (let i = Math.floor(extent.offset / blockSize); i <= last; i++) plan.add(i);
    }
    return plan;
  }

  get allocated(): number {
    return this.allocatedCount;
  }

  add(index: number): void {
    const mask = 1 << (index & 7);
    const byte = this.bits[index >> 3]!;
    if ((byte & mask) === 0) {
      this.bits[index >> 3] = byte | mask;
      this.allocatedCount++;
    }
  }

  has(index: number): boolean {
    return (this.bits[index >> 3]! & (1 << (index & 7))) !== 0;
  }

  /** First allocated block in [from, to), or -1; skips empty bytes eight blocks at a time. */
  nextAllocated(from: number, to: number): number {
    let i = from;
    while (i < to) {
      if ((i & 7) === 0 && this.bits[i >> 3] === 0) {
        i += 8;
        continue;
      }
      if (this.has(i)) return i;
      i++;
    }
    return -1;
  }
}
