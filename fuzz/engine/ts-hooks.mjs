// Module hooks that let a fuzz worker load the TypeScript sources: `.js` imports resolve to the
// `.ts` file beside them, which is transpiled (types stripped, nothing checked) with the
// project's own TypeScript compiler. Not tsx, because reading coverage gets slower with every
// script in the worker, and tsx puts its own (and esbuild's) in; these hooks run in the loader
// thread instead. Inline source maps keep stack traces pointing at the .ts lines.
//
// Transpiled files are cached in the temporary directory (keyed by path, size and mtime), so a
// restarted worker starts in a fraction of a second instead of loading the compiler again.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CACHE = join(tmpdir(), 'imago-fuzz-ts-cache');
let compiler;

async function transpile(path, source) {
  compiler ??= (await import('typescript')).default;
  const ts = compiler;
  const options = {
    module: ts.ModuleKind.ESNext,
    target: ts.ScriptTarget.ES2022,
    verbatimModuleSyntax: true,
    inlineSourceMap: true,
    inlineSources: true,
  };
  return ts.transpileModule(source, { fileName: path, compilerOptions: options }).outputText;
}

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.endsWith('.ts') && /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const path = new URL(url).pathname;
  const { size, mtimeMs } = await stat(path);
  const cached = join(CACHE, `${createHash('sha1').update(`${path}\0${size}\0${mtimeMs}`).digest('hex')}.js`);
  let output = await readFile(cached, 'utf8').catch(() => null);
  if (output === null) {
    output = await transpile(path, await readFile(path, 'utf8'));
    await mkdir(CACHE, { recursive: true });
    // Written aside, then renamed into place: workers of two fuzz runs transpile the same files
    // at once, and one reading the other's half-written file got a module missing its exports.
    const partial = `${cached}.${randomUUID()}`;
    await writeFile(partial, output);
    await rename(partial, cached);
  }
  return { format: 'module', source: output, shortCircuit: true };
}
