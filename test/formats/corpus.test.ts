/**
 * The disk-image corpus (test/tooling/gen-images.sh): every image, declared as the manifest says,
 * through both the streaming and the random-access inspector. Accepted/refused as expected, the
 * reason among `acceptable_reasons`, the virtual size qemu-img reports for accepted images, and
 * both entry points returning the very same verdict.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { hasCommand, requireTool } from '../support/require-tool.js';
import { inspectBoth } from './support/inspect.js';

interface ManifestImage {
  name: string;
  format: string;
  declared_format: string;
  virtual_size: number | null;
  safe: boolean;
  acceptable_reasons: string[];
}

const TOOLS = ['qemu-img', 'xorriso', 'sgdisk', 'sfdisk', 'python3', 'gzip', 'fallocate'];
const GENERATOR = new URL('../tooling/gen-images.sh', import.meta.url).pathname;
/** The manifest names VHD "vpc" (qemu's driver name); Imago says "vhd". */
const formatName = (f: string) => (f === 'vpc' ? 'vhd' : f);

async function generate(): Promise<{ dir: string; images: ManifestImage[]; policy: { max_virtual_size_bytes: number } } | null> {
  if (!TOOLS.every(hasCommand)) return null;
  const dir = await mkdtemp(join(tmpdir(), 'imago-corpus-'));
  await promisify(execFile)('bash', [GENERATOR, dir], { maxBuffer: 1 << 24 });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  return { dir, images: manifest.images, policy: manifest.policy };
}

// Generated once, at load, so that there is one test per manifest entry.
const corpus = await generate();

describe('disk-image corpus', () => {
  after(async () => {
    if (corpus) await rm(corpus.dir, { recursive: true, force: true });
  });

  if (!corpus) {
    it('needs the corpus tools', (t) => {
      for (const tool of TOOLS) if (!requireTool(t, tool)) return;
    });
    return;
  }

  it('has the images and the policy the verdicts assume', () => {
    assert.ok(corpus.images.length >= 38);
    assert.equal(corpus.policy.max_virtual_size_bytes, 2 ** 40);
  });

  for (const image of corpus.images) {
    it(`${image.name}: ${image.safe ? 'accepted' : `refused (${image.acceptable_reasons.join('|')})`}`, async () => {
      const path = join(corpus.dir, image.name);
      const verdict = await inspectBoth(path, { declaredFormat: image.declared_format });
      if (image.safe) {
        assert.ok(verdict.ok, `${image.name} was refused: ${JSON.stringify(verdict)}`);
        assert.equal(verdict.format, formatName(image.format));
        assert.equal(verdict.virtualSize, image.virtual_size);
      } else {
        assert.equal(verdict.ok, false, `${image.name} was accepted: ${JSON.stringify(verdict)}`);
        if (!verdict.ok) assert.ok(image.acceptable_reasons.includes(verdict.reason), `${image.name}: ${verdict.reason} (${verdict.message})`);
      }
      // Without a declared format the inspector alone must still refuse every unsafe image
      // except the pure mismatch cases, and find the true format of the safe ones.
      const undeclared = await inspectBoth(path);
      if (image.safe) assert.ok(undeclared.ok && undeclared.format === formatName(image.format));
      else if (!image.acceptable_reasons.every((r) => r === 'format_mismatch')) assert.equal(undeclared.ok, false, JSON.stringify(undeclared));
    });
  }
});
