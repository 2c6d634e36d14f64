/** Builders shared by the repository tests. */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CATALOG } from '../../../src/domain/catalog.js';
import type { Image } from '../../../src/domain/image.js';
import type { ImageListQuery, Viewer } from '../../../src/domain/image-query.js';

/** A fixed instant plus some milliseconds: distinct, comparable, millisecond-precise timestamps. */
export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
export const at = (ms: number): Date => new Date(T0 + ms);

export function makeImage(overrides: Partial<Image> = {}): Image {
  return {
    id: randomUUID(),
    name: 'image',
    status: 'active',
    visibility: 'private',
    protected: false,
    osHidden: false,
    owner: 'project-a',
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    minDisk: 0,
    minRam: 0,
    size: 1024,
    virtualSize: 4096,
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    location: null,
    createdAt: at(0),
    updatedAt: at(0),
    tags: [],
    properties: {},
    catalog: DEFAULT_CATALOG,
    ...overrides,
  };
}

export const ADMIN: Viewer = { isAdmin: true, projectId: 'admin-project' };

/** A list query that sees every visibility (admin, 'all') and returns everything in one page. */
export function listQuery(overrides: Partial<ImageListQuery> = {}): ImageListQuery {
  return { viewer: ADMIN, visibility: 'all', filters: [], tags: [], properties: {}, sort: [], limit: 1000, ...overrides };
}
