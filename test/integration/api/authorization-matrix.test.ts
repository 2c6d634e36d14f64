/**
 * The authorisation matrix (issue 4): every endpoint, as every kind of caller, on images of
 * every visibility and status. Each answer must equal the oracle's (test/authz/oracle.ts), and
 * docs/authorization-matrix.md must show exactly what the server answered, so the published
 * table cannot drift from the code. Denied requests share one fixture image per kind (a denial
 * must not change anything); after a request that succeeded in changing it, the fixture is
 * rebuilt.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  CALLERS, expectedForImage, expectedGlobal, GLOBAL_ENDPOINTS, IMAGE_ENDPOINTS, IMAGE_KINDS, MUTATING,
  type ImageKind,
} from '../../authz/oracle.js';
import { globalKey, imageKey, renderMatrix, type ImageMatrix } from '../../authz/render.js';
import { callGlobalEndpoint, callImageEndpoint, createImage, createWorld, type World } from '../../authz/world.js';

const DOC = new URL('../../../docs/authorization-matrix.md', import.meta.url);

let world: World;
const observed: ImageMatrix = new Map();
const mismatches: string[] = [];

before(async () => { world = await createWorld(); });
after(async () => { await world?.close(); });

const describeKind = (kind: ImageKind) => `${kind.visibility}/${kind.status}`;

describe('authorisation matrix', () => {
  it('answers every caller on the endpoints without an image as Glance would', async () => {
    for (const endpoint of GLOBAL_ENDPOINTS) {
      for (const caller of CALLERS) {
        const got = await callGlobalEndpoint(world, endpoint, caller);
        observed.set(globalKey(endpoint, caller), got);
        const want = expectedGlobal(endpoint, caller);
        if (got !== want) mismatches.push(`${endpoint} as ${caller}: got ${got}, expected ${want}`);
      }
    }
  });

  for (const kind of IMAGE_KINDS) {
    it(`answers every caller on every image endpoint for a ${describeKind(kind)} image`, async () => {
      for (const endpoint of IMAGE_ENDPOINTS) {
        let id = await createImage(world.server, kind);
        for (const caller of CALLERS) {
          const got = await callImageEndpoint(world, endpoint, caller, id);
          observed.set(imageKey(endpoint, kind, caller), got);
          const want = expectedForImage(endpoint, caller, kind);
          if (got !== want) mismatches.push(`${endpoint} on ${describeKind(kind)} as ${caller}: got ${got}, expected ${want}`);
          if (MUTATING.has(endpoint) && typeof got === 'number' && got < 300) id = await createImage(world.server, kind);
        }
      }
    });
  }

  it('matches the oracle everywhere', () => {
    // Every cell was asked, so an empty mismatch list means agreement, not a skipped run.
    assert.equal(observed.size, CALLERS.length * (GLOBAL_ENDPOINTS.length + IMAGE_ENDPOINTS.length * IMAGE_KINDS.length));
    assert.deepEqual(mismatches, []);
  });

  it('is published unchanged in docs/authorization-matrix.md', async () => {
    const rendered = renderMatrix(observed);
    if (process.env.IMAGO_WRITE_AUTHZ_DOC === '1') await writeFile(DOC, rendered);
    assert.equal(await readFile(DOC, 'utf8'), rendered, 'regenerate with IMAGO_WRITE_AUTHZ_DOC=1 npm test -- authorization-matrix');
  });
});
