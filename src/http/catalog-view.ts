/** The JSON of /imago/v1 catalog answers, and the warning headers a deprecated image's reads carry. */
import type { FastifyReply } from 'fastify';
import type { Image } from '../domain/image.js';
import { iso } from '../domain/image-document.js';
import type { AncestryEntry, DescendantEntry, FamilySummary, Staleness } from '../services/catalog.service.js';
import type { DeprecationNotice, FamilyRetention } from '../services/catalog.ports.js';
import { setWarnings } from './warning-header.js';

/** An image in a lineage or a family: enough to draw it and find it. */
export function imageRef(image: Image): Record<string, unknown> {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    owner: image.owner,
    imago_kind: image.catalog.kind,
    imago_family: image.catalog.family,
    imago_version: image.catalog.version,
    imago_base_image_id: image.catalog.baseImageId,
    imago_deprecation_state: image.catalog.deprecation.state,
    os_hidden: image.osHidden,
    created_at: iso(image.createdAt),
  };
}

export function ancestryView(entries: AncestryEntry[]): Record<string, unknown> {
  return {
    ancestry: entries.map((entry) => ('image' in entry ? imageRef(entry.image) : entry)),
  };
}

export function descendantsView(id: string, entries: DescendantEntry[]): Record<string, unknown> {
  return { image_id: id, descendants: entries.map(({ image, depth }) => ({ ...imageRef(image), depth })) };
}

export function stalenessView(s: Staleness): Record<string, unknown> {
  return {
    image: imageRef(s.image),
    stale: s.stale,
    base: s.base ? imageRef(s.base) : null,
    latest: s.latest ? imageRef(s.latest) : null,
  };
}

export const retentionView = (r: FamilyRetention | undefined) => (r ? { keep: r.keep, action: r.action } : null);

export function familyView(f: FamilySummary, withVersions: boolean): Record<string, unknown> {
  return {
    name: f.name,
    version_count: f.versions.length,
    latest: f.latest ? imageRef(f.latest) : null,
    retention: retentionView(f.retention),
    ...(withVersions ? { versions: f.versions.map(imageRef) } : {}),
  };
}

/**
 * RFC 7234's Warning (299: a persistent warning) for people and generic tools, and
 * X-Imago-Deprecation (`deprecated; replacement=ID`) for clients that act on it.
 */
export function warnDeprecated(reply: FastifyReply, notice: DeprecationNotice | undefined): void {
  if (!notice) return;
  const { state } = notice;
  const use = notice.replacement ? `; use ${notice.replacement} instead` : '';
  setWarnings(reply, [`Image ${notice.imageId} is ${state}${use}.`]);
  reply.header('x-imago-deprecation', `${state}${notice.replacement ? `; replacement=${notice.replacement}` : ''}`);
}

/** The notice for an image read through /v2/images/{id}. */
export function noticeOf(image: Image): DeprecationNotice | undefined {
  const { state, replacement } = image.catalog.deprecation;
  return state === 'deprecated' || state === 'obsolete' ? { imageId: image.id, state, replacement } : undefined;
}
