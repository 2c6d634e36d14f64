import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyGate } from './concurrency-gate.js';
import { SecretHasher } from './secret-hash.js';

const cheap = new SecretHasher({ ln: 10, r: 8, p: 1 });

describe('SecretHasher', () => {
  it('encodes its parameters and a fresh salt, and verifies the right secret only', async () => {
    const a = await cheap.hash('correct horse');
    const b = await cheap.hash('correct horse');
    assert.match(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await cheap.verify('correct horse', a), true);
    assert.equal(await cheap.verify('correct horsf', a), false);
    assert.equal(await cheap.verify('', a), false);
  });

  it('verifies hashes made with other parameters (they travel in the hash)', async () => {
    const stronger = await new SecretHasher({ ln: 11, r: 4, p: 2 }).hash('pw');
    assert.equal(await cheap.verify('pw', stronger), true);
  });

  it('answers false, after a derivation, for no hash or a malformed or oversized one', async () => {
    assert.equal(await cheap.verify('pw', null), false);
    assert.equal(await cheap.verify('pw', 'plain-text'), false);
    assert.equal(await cheap.verify('pw', '$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'), false);
  });

  it('runs derivations one at a time through its gate, and answers each queued one rightly', async () => {
    const gate = new ConcurrencyGate(1);
    const hasher = new SecretHasher({ ln: 10, r: 8, p: 1 }, gate);
    const hash = await hasher.hash('pw');
    const pending = Array.from({ length: 5 }, (_, i) => hasher.verify(i % 2 === 0 ? 'pw' : 'wrong', hash));
    assert.deepEqual(gate.load, { running: 1, waiting: 4 });
    assert.deepEqual(await Promise.all(pending), [true, false, true, false, true]);
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('normalises Unicode so the same password typed differently matches', async () => {
    const hash = await cheap.hash('caf\u00e9');
    assert.equal(await cheap.verify('cafe\u0301', hash), true);
  });
});
