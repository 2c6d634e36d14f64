/**
 * Imago's catalog vocabulary on top of Glance's image record: the image's kind, the family and
 * version it belongs to, the image it derives from, where it came from, a capsule's manifest,
 * its disks, and its deprecation (GCE's model: a state, a replacement and a schedule).
 * Pure data and rules: no I/O here.
 */
import type { Image } from './image.js';

export const IMAGE_KINDS = ['standard', 'capsule', 'custom'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** Ordered: an image only ever moves to a later state on its own (a schedule never goes back). */
export const DEPRECATION_STATES = ['active', 'deprecated', 'obsolete', 'deleted'] as const;
export type DeprecationState = (typeof DEPRECATION_STATES)[number];

export const SOURCE_TYPES = ['upload', 'import', 'snapshot', 'build'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** How a custom image was made; `ref` is the import URL, the server's instance id or the build id. */
export interface ImageSource {
  type: SourceType;
  ref: string | null;
}

export const DISK_ROLES = ['boot', 'data', 'swap', 'config'] as const;
export const DISK_BUSES = ['virtio', 'scsi', 'sata', 'ide', 'nvme', 'usb'] as const;

export interface DiskSpec {
  name: string;
  role: (typeof DISK_ROLES)[number];
  size_gb: number;
  format: string;
  bus: (typeof DISK_BUSES)[number];
}

/** A capsule's description of itself (validated against CAPSULE_MANIFEST_SCHEMA). */
export interface CapsuleManifest {
  application: { name: string; version: string };
  base_image_id?: string;
  components?: Array<{ name: string; version?: string }>;
  config?: {
    ports?: Array<{ port: number; protocol?: 'tcp' | 'udp' }>;
    environment?: Record<string, string>;
    user_data?: string;
  };
}

export interface Deprecation {
  state: DeprecationState;
  replacement: string | null;
  /** When the image becomes (or became) deprecated, obsolete, deleted; null: not scheduled. */
  deprecatedAt: Date | null;
  obsoleteAt: Date | null;
  deletedAt: Date | null;
}

export interface CatalogFields {
  kind: ImageKind;
  family: string | null;
  version: string | null;
  baseImageId: string | null;
  source: ImageSource | null;
  manifest: CapsuleManifest | null;
  disks: DiskSpec[];
  deprecation: Deprecation;
}

export const ACTIVE: Deprecation = Object.freeze({ state: 'active', replacement: null, deprecatedAt: null, obsoleteAt: null, deletedAt: null });

export const DEFAULT_CATALOG: CatalogFields = Object.freeze({
  kind: 'custom', family: null, version: null, baseImageId: null, source: null, manifest: null, disks: [], deprecation: ACTIVE,
}) as CatalogFields;

const rank = (state: DeprecationState): number => DEPRECATION_STATES.indexOf(state);

/** The scheduled times, each with the state it brings. */
function schedule(d: Deprecation): Array<[DeprecationState, Date | null]> {
  return [['deprecated', d.deprecatedAt], ['obsolete', d.obsoleteAt], ['deleted', d.deletedAt]];
}

/** The state the deprecation is in at `now`: its own, or a later one whose time has come. */
export function stateAt(d: Deprecation, now: Date): DeprecationState {
  let state = d.state;
  for (const [next, at] of schedule(d)) if (at !== null && at.getTime() <= now.getTime() && rank(next) > rank(state)) state = next;
  return state;
}

/** When the next scheduled transition is due (the scheduler's index key); null: none pending. */
export function nextTransitionAt(d: Deprecation): Date | null {
  let next: Date | null = null;
  for (const [state, at] of schedule(d)) {
    if (at !== null && rank(state) > rank(d.state) && (next === null || at < next)) next = at;
  }
  return next;
}

/** Deprecated, obsolete and deleted images may not become the base or replacement of another. */
export function isUsable(d: Deprecation): boolean {
  return d.state === 'active' || d.state === 'deprecated';
}

/**
 * Compares version strings part by part, numbers numerically and words alphabetically, so
 * 12.10 > 12.9 and 2024.01.15 > 2023.12.31; a numeric part sorts after a word part.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_+~ ]/).flatMap((p) => p.match(/\d+|\D+/g) ?? []);
  const pb = b.split(/[.\-_+~ ]/).flatMap((p) => p.match(/\d+|\D+/g) ?? []);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const diff = BigInt(x) - BigInt(y);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
    } else if (nx !== ny) {
      return nx ? 1 : -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/**
 * Newest first: by version string when both have one (a versioned image is newer than an
 * unversioned one), else by creation time; the id breaks ties so the order is total.
 */
export function newestFirst(a: Image, b: Image): number {
  const va = a.catalog.version;
  const vb = b.catalog.version;
  if (va !== null && vb !== null) {
    const byVersion = compareVersions(vb, va);
    if (byVersion !== 0) return byVersion;
  } else if (va !== vb) {
    return va === null ? 1 : -1;
  }
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** What a user asking for "the latest" of a family may be given. */
export function isLatestCandidate(image: Image, now: Date): boolean {
  return image.status === 'active' && !image.osHidden && stateAt(image.catalog.deprecation, now) === 'active';
}

/** The family's newest usable version, or undefined. */
export function latestOf(versions: readonly Image[], now: Date): Image | undefined {
  return [...versions].sort(newestFirst).find((image) => isLatestCandidate(image, now));
}

/**
 * Retention: the `keep` newest versions stay; of the rest, those that may be retired (not
 * protected, no descendants, not already at or past the target state) are returned.
 */
export function selectForRetirement(
  versions: readonly Image[], keep: number, hasDescendants: (id: string) => boolean, target: DeprecationState,
): Image[] {
  const live = versions.filter((v) => v.status !== 'deleted' && v.status !== 'pending_delete').sort(newestFirst);
  return live.slice(keep).filter((v) => !v.protected && !hasDescendants(v.id) && rank(v.catalog.deprecation.state) < rank(target));
}

/**
 * Whether making `imageId` derive from `baseId` closes a loop: `ancestorsOfBase` is the chain
 * from the base upwards (the base first).
 */
export function closesCycle(imageId: string, ancestorsOfBase: readonly string[]): boolean {
  return ancestorsOfBase.includes(imageId);
}

export function laterOrEqual(state: DeprecationState, than: DeprecationState): boolean {
  return rank(state) >= rank(than);
}
