import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../domain/principal.js';
import { TokenCache } from './token-cache.js';

/** A clock the test moves by hand. */
function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => { now += ms; }, at: (ms: number) => new Date(now + ms) };
}

const principal = (projectId: string): Principal => ({ projectId, userId: `u-${projectId}`, roles: ['member'] });

describe('TokenCache', () => {
  it('answers until the expiry it was given, and not from that instant on', () => {
    const clock = fakeClock();
    const cache = new TokenCache(clock, 10);
    cache.set('k', principal('p'), clock.at(1000));
    assert.deepEqual(cache.get('k'), principal('p'));
    clock.advance(999);
    assert.deepEqual(cache.get('k'), principal('p'));
    clock.advance(1);
    assert.equal(cache.get('k'), undefined);
    assert.equal(cache.size, 0, 'an expired entry is dropped when it is found expired');
  });

  it('stores nothing for an expiry that has already passed', () => {
    const clock = fakeClock();
    const cache = new TokenCache(clock, 10);
    cache.set('k', principal('p'), clock.at(0));
    cache.set('j', principal('p'), clock.at(-5));
    assert.equal(cache.size, 0);
  });

  it('keeps at most its capacity, evicting the least recently used entry', () => {
    const clock = fakeClock();
    const cache = new TokenCache(clock, 3);
    for (const key of ['a', 'b', 'c']) cache.set(key, principal(key), clock.at(60_000));
    assert.ok(cache.get('a'), 'a is now the most recently used');
    cache.set('d', principal('d'), clock.at(60_000));
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined, 'b was the least recently used');
    for (const key of ['a', 'c', 'd']) assert.deepEqual(cache.get(key), principal(key));
  });

  it('stays at its capacity however many distinct keys arrive', () => {
    const clock = fakeClock();
    const cache = new TokenCache(clock, 100);
    for (let i = 0; i < 10_000; i++) cache.set(`key-${i}`, principal(String(i)), clock.at(60_000));
    assert.equal(cache.size, 100);
    assert.deepEqual(cache.get('key-9999'), principal('9999'));
    assert.equal(cache.get('key-0'), undefined);
  });

  it('replaces an entry set again, with its new expiry', () => {
    const clock = fakeClock();
    const cache = new TokenCache(clock, 10);
    cache.set('k', principal('old'), clock.at(1000));
    cache.set('k', principal('new'), clock.at(5000));
    clock.advance(2000);
    assert.deepEqual(cache.get('k'), principal('new'));
    assert.equal(cache.size, 1);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    assert.throws(() => new TokenCache(fakeClock(), 0), RangeError);
    assert.throws(() => new TokenCache(fakeClock(), 1.5), RangeError);
  });
});
