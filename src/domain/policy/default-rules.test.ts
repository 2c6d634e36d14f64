import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Policy } from '../policy.js';

describe('default rules', () => {
  it('compile, and docs/policy.md lists each with its rule', () => {
    const docs = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
    for (const { name, rule } of new Policy().entries()) {
      assert.ok(docs.includes(`| \`${name}\` | \`${rule}\` |`), `docs/policy.md should list ${name}: ${rule}`);
    }
  });
});
