/**
 * The catalog use-cases behind /imago/v1: lineage (ancestry, descendants, staleness), families
 * and their latest version, deprecation with replacement and schedule, family retention,
 * required-property rules, and the periodic pass that applies what has come due.
 */
import {
  DEPRECATION_STATES, laterOrEqual, latestOf, newestFirst, selectForRetirement, stateAt,
  type Deprecation, type DeprecationState,
} from '../domain/catalog.js';
import { FAMILY_PATTERN } from '../domain/catalog-document.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Image } from '../domain/image.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { CatalogRules } from './catalog-rules.js';
import { MAX_LINEAGE_DEPTH } from './catalog-rules.js';
import type { CatalogStore, FamilyRetention, RequiredPropertiesRule } from './catalog.ports.js';
import type { ImageService } from './image.service.js';
import type { Clock, ImageCatalog } from './ports.js';

/** Versions of one family read at once; far above any real family's length. */
const FAMILY_SCAN_LIMIT = 1000;
/** Descendants listed at most (a base image of a large cloud may have many). */
const DESCENDANTS_LIMIT = 1000;
const DUE_BATCH = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RETENTION_ACTIONS: readonly FamilyRetention['action'][] = ['deprecate', 'obsolete', 'delete'];
const RETIRED_STATE: Readonly<Record<FamilyRetention['action'], DeprecationState>> = { deprecate: 'deprecated', obsolete: 'obsolete', delete: 'deleted' };

/** One link of an ancestry: the image when the caller may see it, else only its id. */
export type AncestryEntry = { image: Image } | { id: string; visible: false } | { id: string; deleted: true };

export interface DescendantEntry {
  image: Image;
  depth: number;
}

export interface FamilySummary {
  name: string;
  versions: Image[];
  latest: Image | undefined;
  retention: FamilyRetention | undefined;
}

export interface Staleness {
  image: Image;
  base: Image | undefined;
  latest: Image | undefined;
  stale: boolean;
}

export interface DeprecationRequest {
  state?: unknown;
  replacement?: unknown;
  deprecated?: unknown;
  obsolete?: unknown;
  deleted?: unknown;
}

export class CatalogService {
  constructor(
    private readonly images: ImageService,
    private readonly catalog: ImageCatalog,
    private readonly store: CatalogStore,
    private readonly rules: CatalogRules,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** The chain from the image to its root, the image first. */
  async ancestry(principal: Principal, id: string): Promise<AncestryEntry[]> {
    const { image } = await this.images.load(principal, id);
    const chain: AncestryEntry[] = [{ image }];
    let cursor = image.catalog.baseImageId;
    while (cursor !== null && chain.length <= MAX_LINEAGE_DEPTH) {
      const base = await this.catalog.get(cursor);
      if (!base) {
        chain.push({ id: cursor, deleted: true });
        cursor = (await this.store.baseOf(cursor))?.baseImageId ?? null;
        continue;
      }
      if (!(await this.rules.visible(principal, base))) {
        chain.push({ id: cursor, visible: false });
        break;
      }
      chain.push({ image: this.rules.current(base) });
      cursor = base.catalog.baseImageId;
    }
    return chain;
  }

  /** Every image derived from this one that the caller may see, breadth first, with its depth. */
  async descendants(principal: Principal, id: string): Promise<DescendantEntry[]> {
    const { image } = await this.images.load(principal, id);
    const found: DescendantEntry[] = [];
    const seen = new Set([image.id]);
    let level = [image.id];
    for (let depth = 1; level.length > 0 && depth <= MAX_LINEAGE_DEPTH && found.length < DESCENDANTS_LIMIT; depth++) {
      const next: string[] = [];
      for (const child of await this.store.children(level)) {
        if (seen.has(child.id)) continue;
        seen.add(child.id);
        const loaded = await this.catalog.get(child.id);
        // An image the caller cannot see hides its subtree too: its descendants are not theirs to find through it.
        if (!loaded || !(await this.rules.visible(principal, loaded))) continue;
        found.push({ image: this.rules.current(loaded), depth });
        next.push(child.id);
      }
      level = next;
    }
    return found.slice(0, DESCENDANTS_LIMIT);
  }

  /** Whether a newer version of the image's base has appeared in the base's family. */
  async staleness(principal: Principal, id: string): Promise<Staleness> {
    const { image } = await this.images.load(principal, id);
    const baseId = image.catalog.baseImageId;
    const base = baseId === null ? undefined : await this.catalog.get(baseId);
    if (!base || base.catalog.family === null) return { image, base, latest: undefined, stale: false };
    const latest = latestOf(await this.visibleVersions(principal, base.catalog.family), this.clock.now());
    return { image, base, latest, stale: latest !== undefined && latest.id !== base.id && newestFirst(latest, base) < 0 };
  }

  async families(principal: Principal): Promise<FamilySummary[]> {
    this.policy.enforce('imago:get_families', principal);
    const viewer = { isAdmin: this.policy.isAdmin(principal), projectId: principal.projectId };
    const names = await this.store.families(viewer);
    return Promise.all(names.map(({ family }) => this.summary(principal, family)));
  }

  async family(principal: Principal, name: string): Promise<FamilySummary> {
    this.policy.enforce('imago:get_families', principal);
    const summary = await this.summary(principal, name);
    if (summary.versions.length === 0) throw new NotFoundError(`No image family ${name} is visible to you.`, { reason: 'catalog.family_not_found' });
    return summary;
  }

  /** The family's newest active, non-deprecated, non-hidden version: what "latest" resolves to. */
  async latest(principal: Principal, name: string): Promise<Image> {
    const { latest } = await this.family(principal, name);
    if (!latest) throw new NotFoundError(`Family ${name} has no active, non-deprecated, non-hidden version.`, { reason: 'catalog.no_latest' });
    return latest;
  }

  /** Images (visible to the caller) built on an older version of the family than its latest. */
  async familyStale(principal: Principal, name: string): Promise<Staleness[]> {
    const { versions, latest } = await this.family(principal, name);
    if (!latest) return [];
    const older = versions.filter((v) => v.id !== latest.id && newestFirst(latest, v) < 0);
    const byId = new Map(older.map((v) => [v.id, v]));
    const result: Staleness[] = [];
    for (const child of await this.store.children([...byId.keys()])) {
      const image = await this.catalog.get(child.id);
      if (image && (await this.rules.visible(principal, image))) result.push({ image: this.rules.current(image), base: byId.get(child.baseImageId), latest, stale: true });
    }
    return result;
  }

  private async summary(principal: Principal, name: string): Promise<FamilySummary> {
    const versions = (await this.visibleVersions(principal, name)).sort(newestFirst);
    return { name, versions, latest: latestOf(versions, this.clock.now()), retention: await this.store.retention(name) };
  }

  private async visibleVersions(principal: Principal, family: string): Promise<Image[]> {
    const visible: Image[] = [];
    for (const image of await this.allVersions(family)) if (await this.rules.visible(principal, image)) visible.push(this.rules.current(image));
    return visible;
  }

  private allVersions(family: string): Promise<Image[]> {
    return this.catalog.list({
      viewer: { isAdmin: true, projectId: null }, visibility: 'all', filters: [{ field: 'imago_family', op: 'eq', value: family }],
      tags: [], properties: {}, sort: [], limit: FAMILY_SCAN_LIMIT,
    });
  }

  /**
   * Sets the image's deprecation: a state now (default deprecated), a replacement, and future
   * times at which it becomes deprecated, obsolete and deleted. State deleted now deletes it.
   * Answers the image as it is afterwards (undefined once deleted).
   */
  async deprecate(principal: Principal, id: string, request: DeprecationRequest): Promise<Image | undefined> {
    const target = await this.images.load(principal, id);
    this.policy.enforce('imago:deprecate_image', principal, target);
    const { image } = target;
    const now = this.clock.now();
    const next = await this.readDeprecation(principal, image, request, now);
    if (next.state === 'deleted' || next.deletedAt !== null) {
      if (image.protected) throw new ForbiddenError(`Image ${image.id} is protected and cannot be deleted.`, { reason: 'image.protected' });
      await this.rules.checkDelete(principal, image, false);
    }
    if (next.state === 'deleted') {
      await this.images.delete(principal, image.id);
      return undefined;
    }
    if (!(await this.store.setDeprecation(image.id, image.catalog.deprecation.state, next, now))) {
      throw new ConflictError(`Image ${id} was changed by another request; retry.`, { reason: 'image.concurrent_update' });
    }
    return this.catalog.get(image.id);
  }

  private async readDeprecation(principal: Principal, image: Image, request: DeprecationRequest, now: Date): Promise<Deprecation> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      throw new BadRequestError('Body expected: {"state": …, "replacement": …, "deprecated"|"obsolete"|"deleted": time}.', { reason: 'catalog.deprecation_body' });
    }
    const unknown = Object.keys(request).filter((k) => !['state', 'replacement', 'deprecated', 'obsolete', 'deleted'].includes(k));
    if (unknown.length > 0) throw new BadRequestError(`Unknown deprecation field(s): ${unknown.join(', ')}.`, { reason: 'catalog.deprecation_body' });
    const state = request.state ?? 'deprecated';
    if (!(DEPRECATION_STATES as readonly unknown[]).includes(state)) {
      throw new BadRequestError(`Unknown deprecation state ${JSON.stringify(state)}: use one of ${DEPRECATION_STATES.join(', ')}.`, { reason: 'catalog.deprecation_state' });
    }
    const times = {
      deprecated: futureTime('deprecated', request.deprecated, now),
      obsolete: futureTime('obsolete', request.obsolete, now),
      deleted: futureTime('deleted', request.deleted, now),
    };
    let previous: Date | null = null;
    for (const [name, at] of Object.entries(times) as Array<[DeprecationState, Date | null]>) {
      if (at === null) continue;
      if (laterOrEqual(state as DeprecationState, name)) {
        throw new BadRequestError(`The image is made ${String(state)} now: a later time to become ${name} makes no sense.`, { reason: 'catalog.deprecation_schedule' });
      }
      if (previous !== null && at <= previous) throw new BadRequestError('Scheduled times must follow the order deprecated, obsolete, deleted.', { reason: 'catalog.deprecation_schedule' });
      previous = at;
    }
    const replacement = await this.readReplacement(principal, image, request.replacement);
    return { state: state as DeprecationState, replacement, deprecatedAt: times.deprecated, obsoleteAt: times.obsolete, deletedAt: times.deleted };
  }

  private async readReplacement(principal: Principal, image: Image, value: unknown): Promise<string | null> {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !UUID.test(value)) throw new BadRequestError('replacement must be an image id (UUID) or null.', { reason: 'catalog.replacement' });
    const id = value.toLowerCase();
    if (id === image.id) throw new BadRequestError('An image cannot be its own replacement.', { reason: 'catalog.replacement' });
    const replacement = await this.catalog.get(id);
    if (!replacement || !(await this.rules.visible(principal, replacement))) {
      throw new BadRequestError(`Replacement image ${id} does not exist or is not visible to you.`, { reason: 'catalog.replacement_not_found' });
    }
    const state = stateAt(replacement.catalog.deprecation, this.clock.now());
    if (state !== 'active') throw new BadRequestError(`Replacement image ${id} is itself ${state}; name an active image.`, { reason: 'catalog.replacement_deprecated' });
    if (replacement.status !== 'active') throw new BadRequestError(`Replacement image ${id} is ${replacement.status}, not active.`, { reason: 'catalog.replacement_inactive' });
    return id;
  }

  async retention(principal: Principal, family: string): Promise<FamilyRetention> {
    this.policy.enforce('imago:get_families', principal);
    const retention = await this.store.retention(family);
    if (!retention) throw new NotFoundError(`Family ${family} has no retention policy.`, { reason: 'catalog.retention_not_found' });
    return retention;
  }

  /** Sets the family's retention and applies it at once; answers the ids it retired. */
  async setRetention(principal: Principal, family: string, body: unknown): Promise<{ retention: FamilyRetention; retired: string[] }> {
    this.policy.enforce('imago:manage_retention', principal);
    if (!new RegExp(FAMILY_PATTERN).test(family)) throw new BadRequestError(`Invalid family name ${family}.`, { reason: 'catalog.family_name' });
    const { keep, action = 'deprecate', ...rest } = (body ?? {}) as { keep?: unknown; action?: unknown };
    if (Object.keys(rest).length > 0) throw new BadRequestError(`Unknown retention field(s): ${Object.keys(rest).join(', ')}.`, { reason: 'catalog.retention' });
    if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1 || keep > FAMILY_SCAN_LIMIT) {
      throw new BadRequestError(`keep must be a whole number from 1 to ${FAMILY_SCAN_LIMIT}.`, { reason: 'catalog.retention' });
    }
    if (!(RETENTION_ACTIONS as readonly unknown[]).includes(action)) {
      throw new BadRequestError(`action must be one of ${RETENTION_ACTIONS.join(', ')}.`, { reason: 'catalog.retention' });
    }
    const retention: FamilyRetention = { family, keep, action: action as FamilyRetention['action'] };
    await this.store.setRetention(retention, this.clock.now());
    return { retention, retired: await this.applyRetention(retention, this.clock.now()) };
  }

  async deleteRetention(principal: Principal, family: string): Promise<void> {
    this.policy.enforce('imago:manage_retention', principal);
    if (!(await this.store.deleteRetention(family))) throw new NotFoundError(`Family ${family} has no retention policy.`, { reason: 'catalog.retention_not_found' });
  }

  /** Retires the versions beyond the newest `keep` (never protected ones or ones with descendants). */
  private async applyRetention(retention: FamilyRetention, now: Date): Promise<string[]> {
    const versions = (await this.allVersions(retention.family)).map((v) => this.rules.current(v));
    const parents = new Set((await this.store.children(versions.map((v) => v.id))).map((c) => c.baseImageId));
    const target = RETIRED_STATE[retention.action];
    const latest = latestOf(versions, now);
    const retired: string[] = [];
    for (const image of selectForRetirement(versions, retention.keep, (id) => parents.has(id), target)) {
      const replacement = latest && latest.id !== image.id ? latest.id : image.catalog.deprecation.replacement;
      await this.rules.moveTo(image, { ...image.catalog.deprecation, state: target, replacement }, now);
      retired.push(image.id);
    }
    return retired;
  }

  async requiredProperties(principal: Principal): Promise<RequiredPropertiesRule[]> {
    this.policy.enforce('imago:get_required_properties', principal);
    return this.store.requiredProperties();
  }

  async setRequiredProperties(principal: Principal, scope: string, name: string, body: unknown): Promise<RequiredPropertiesRule> {
    this.policy.enforce('imago:manage_required_properties', principal);
    const checkedScope = checkScope(scope, name);
    const properties = (body as { properties?: unknown } | null)?.properties;
    if (!Array.isArray(properties) || properties.length === 0 || properties.length > 100
      || properties.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 255)) {
      throw new BadRequestError('properties must be a non-empty list of property names.', { reason: 'catalog.required_properties_body' });
    }
    const rule: RequiredPropertiesRule = { scope: checkedScope, name, properties: [...new Set(properties as string[])].sort() };
    await this.store.setRequiredProperties(rule, this.clock.now());
    return rule;
  }

  async deleteRequiredProperties(principal: Principal, scope: string, name: string): Promise<void> {
    this.policy.enforce('imago:manage_required_properties', principal);
    if (!(await this.store.deleteRequiredProperties(checkScope(scope, name), name))) {
      throw new NotFoundError(`No required properties are set for ${scope} ${name}.`, { reason: 'catalog.required_properties_not_found' });
    }
  }

  /**
   * One pass of the scheduler: applies every transition that has come due (a batch at a
   * time), then every family's retention. Safe on several nodes at once (compare-and-set).
   */
  async applyDue(): Promise<{ transitions: number; retired: number }> {
    const now = this.clock.now();
    let transitions = 0;
    for (;;) {
      const due = await this.store.dueTransitions(now, DUE_BATCH);
      for (const id of due) {
        const image = await this.catalog.get(id);
        if (image) await this.rules.applyDue(image, now);
        transitions++;
      }
      if (due.length < DUE_BATCH) break;
    }
    let retired = 0;
    for (const retention of await this.store.retentions()) retired += (await this.applyRetention(retention, now)).length;
    return { transitions, retired };
  }
}

function futureTime(name: string, value: unknown, now: Date): Date | null {
  if (value === undefined || value === null) return null;
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new BadRequestError(`${name} must be an ISO 8601 time with a zone, e.g. 2030-01-31T00:00:00Z.`, { reason: 'catalog.deprecation_time' });
  if (date.getTime() <= now.getTime()) throw new BadRequestError(`${name} time ${value} is in the past; scheduled times must be in the future.`, { reason: 'catalog.deprecation_past' });
  return date;
}

function checkScope(scope: string, name: string): RequiredPropertiesRule['scope'] {
  if (scope === 'kind') {
    if (!['standard', 'capsule', 'custom'].includes(name)) throw new BadRequestError(`Unknown image kind ${name}: use standard, capsule or custom.`, { reason: 'catalog.kind' });
    return scope;
  }
  if (scope === 'family') {
    if (!new RegExp(FAMILY_PATTERN).test(name)) throw new BadRequestError(`Invalid family name ${name}.`, { reason: 'catalog.family_name' });
    return scope;
  }
  throw new BadRequestError(`Unknown scope ${scope}: use kind or family.`, { reason: 'catalog.scope' });
}
