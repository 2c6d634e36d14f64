/**
 * Remembers recent token validations so that a client's burst of requests costs one call to
 * the identity service. Entries are keyed by the token's SHA-256 (the token itself is never
 * kept), expire at a time the caller chooses, and the least recently used entry is dropped
 * once `capacity` is reached, so memory stays flat however many distinct tokens arrive.
 */
import type { Principal } from '../domain/principal.js';
import type { Clock } from './ports.js';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

export class TokenCache {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently
  // used entry first, which is the one evicted.
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive whole number');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Principal | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now().getTime()) return undefined;
    this.entries.set(key, entry);
    return entry.principal;
  }

  /** Keeps `principal` until `expiresAt`; an expiry that has already passed stores nothing. */
  set(key: string, principal: Principal, expiresAt: Date): void {
    this.entries.delete(key);
    if (expiresAt.getTime() <= this.clock.now().getTime()) return;
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { principal, expiresAt: expiresAt.getTime() });
  }
}
