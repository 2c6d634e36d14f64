import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

  it('answers every one of many concurrent verifications rightly (they queue for the derivation)', async () => {
    const hash = await cheap.hash('pw');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => cheap.verify(i % 2 === 0 ? 'pw' : 'wrong', i === 5 ? null : hash)));
    assert.deepEqual(answers, [true, false, true, false, true, false]);
  });

  it('normalises Unicode so the same password typed differently matches', async () => {
    const hash = await cheap.hash('caf\u00e9');
    assert.equal(await cheap.verify('cafe\u0301', hash), true);
  });
});
