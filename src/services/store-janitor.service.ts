/**
 * Cleans up after crashes: uploads whose node died go back to queued, staged writes left
 * behind are removed, and stored bytes whose image is gone (deleted, or never committed to
 * the catalog) are deleted. Safe to run on every node at start and periodically.
 */
import type { StoreRegistry } from '../storage/store-registry.js';
import { UPLOAD_HEARTBEAT_MS } from './image-data.service.js';
import type { Clock, ImageCatalog } from './ports.js';

export interface JanitorReport {
  requeued: number;
  stagingRemoved: number;
  orphansRemoved: number;
}

/** An upload silent for this long has lost its node (several missed heartbeats). */
const STALE_UPLOAD_MS = 5 * UPLOAD_HEARTBEAT_MS;

export class StoreJanitor {
  constructor(private readonly catalog: ImageCatalog, private readonly stores: StoreRegistry, private readonly clock: Clock) {}

  async run(): Promise<JanitorReport> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - STALE_UPLOAD_MS);
    const requeued = await this.catalog.requeueStaleUploads(cutoff, now);
    let stagingRemoved = 0;
    let orphansRemoved = 0;
    for (const store of this.stores.all()) {
      stagingRemoved += await store.purgeStaging(cutoff);
      for await (const key of store.list('images/')) {
        const id = key.slice('images/'.length);
        const image = await this.catalog.get(id, { includeDeleted: true });
        const owned = image && image.status !== 'deleted' && image.location?.store === store.name && image.location.key === key;
        // A committed object for an image that is still saving belongs to an upload finishing now.
        if (owned || image?.status === 'saving') continue;
        await store.delete(key);
        orphansRemoved++;
      }
    }
    return { requeued, stagingRemoved, orphansRemoved };
  }
}
