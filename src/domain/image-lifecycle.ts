/**
 * The image status machine (Glance v2: doc/source/user/statuses.rst). Services ask here
 * whether a transition is allowed; the repository then applies it with a compare-and-set on
 * the current status so two racing requests cannot both win.
 */
import type { ImageStatus } from './image.js';

const TRANSITIONS: Readonly<Record<ImageStatus, readonly ImageStatus[]>> = {
  queued: ['saving', 'uploading', 'importing', 'active', 'deleted'],
  saving: ['active', 'queued', 'killed', 'deleted'],
  uploading: ['importing', 'queued', 'deleted'],
  importing: ['active', 'queued', 'deleted'],
  active: ['deactivated', 'pending_delete', 'deleted'],
  deactivated: ['active', 'deleted'],
  killed: ['deleted'],
  pending_delete: ['deleted', 'active'],
  deleted: [],
};

export function canTransition(from: ImageStatus, to: ImageStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` can be reached: the compare-and-set condition for a transition. */
export function sourcesOf(to: ImageStatus): ImageStatus[] {
  return (Object.keys(TRANSITIONS) as ImageStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

/** disk_format and container_format are part of what the bytes mean: fixed once data exists. */
export function formatsMutable(status: ImageStatus): boolean {
  return status === 'queued' || status === 'importing';
}
