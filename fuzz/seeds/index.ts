/** Every built-in seed of the inspect target: at least one accepted and one refused input per format. */
import { qcow2Seeds } from './qcow2.seeds.js';
import { rawLayoutSeeds } from './raw-layout.seeds.js';
import type { Seed } from './seed.js';
import { signatureSeeds } from './signature.seeds.js';
import { vdiSeeds } from './vdi.seeds.js';
import { vhdSeeds } from './vhd.seeds.js';
import { vhdxSeeds } from './vhdx.seeds.js';
import { vmdkSeeds } from './vmdk.seeds.js';

export type { Seed } from './seed.js';

export function inspectSeeds(): Seed[] {
  return [...qcow2Seeds(), ...vmdkSeeds(), ...vhdSeeds(), ...vhdxSeeds(), ...vdiSeeds(), ...rawLayoutSeeds(), ...signatureSeeds()];
}
