/**
 * Fuzz targets by name, loaded on demand (a target loads the code under test). A `file:` URL
 * names a module that exports its `target` (the engine's own tests use one).
 */
import type { Target } from '../engine/target.js';

const TARGETS: Readonly<Record<string, () => Promise<Target>>> = {
  inspect: async () => (await import('./inspect.target.js')).inspectTarget,
};

export const TARGET_NAMES = Object.keys(TARGETS);

export async function loadTarget(name: string): Promise<Target> {
  if (name.startsWith('file:')) return ((await import(name)) as { target: Target }).target;
  const load = TARGETS[name];
  if (!load) throw new Error(`unknown fuzz target ${JSON.stringify(name)} (known: ${TARGET_NAMES.join(', ')})`);
  return load();
}
