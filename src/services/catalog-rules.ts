/**
 * The catalog rules the image use-cases apply (CatalogHooks): who may publish standard images
 * and use a family, which base an image may name, lazy deprecation transitions, deletes of
 * images others derive from, required properties at activation, and obsolete images' data.
 */
import { closesCycle, DEFAULT_CATALOG, isUsable, stateAt, type CatalogFields, type Deprecation } from '../domain/catalog.js';
import { readCatalogFields } from '../domain/catalog-document.js';
import { BadRequestError, ConflictError, ForbiddenError } from '../domain/errors.js';
import type { Image } from '../domain/image.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { StoreRegistry } from '../storage/store-registry.js';
import type { CatalogHooks, CatalogStore, DeprecationNotice } from './catalog.ports.js';
import type { MembershipLookup } from './member.ports.js';
import type { Clock, ImageCatalog } from './ports.js';

/** Lineage deeper than this is refused: no real image is built on 64 layers, a loop is. */
export const MAX_LINEAGE_DEPTH = 64;

export class CatalogRules implements CatalogHooks {
  constructor(
    private readonly images: ImageCatalog,
    private readonly store: CatalogStore,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly members: MembershipLookup,
    private readonly stores: StoreRegistry,
  ) {}

  /** Whether the caller may see the image (Glance's visibility and the get_image rule). */
  async visible(principal: Principal, image: Image): Promise<boolean> {
    const lookUp = image.visibility === 'shared' && image.owner !== principal.projectId && !this.policy.isAdmin(principal);
    const memberStatus = lookUp ? await this.members.statusOf(image.id, principal.projectId) : null;
    return this.policy.can('get_image', principal, { image, memberStatus });
  }

  async fieldsFor(principal: Principal, doc: Record<string, unknown>, current: Image | null, owner: string | null): Promise<CatalogFields> {
    const input = readCatalogFields(doc);
    const before = current?.catalog ?? DEFAULT_CATALOG;
    if (input.kind === 'standard' && before.kind !== 'standard' && !this.policy.can('imago:publish_standard', principal)) {
      throw new ForbiddenError('Only admins and publishers may make standard images; use kind custom or capsule.', { reason: 'policy.imago:publish_standard' });
    }
    if (input.family !== null && input.family !== before.family) await this.checkFamily(principal, input.family, owner);
    if (input.baseImageId !== null && input.baseImageId !== before.baseImageId) await this.checkBase(principal, input.baseImageId, current?.id);
    return { ...input, deprecation: before.deprecation };
  }

  /** A family belongs to the project that started it; admins and publishers may add to any. */
  private async checkFamily(principal: Principal, family: string, owner: string | null): Promise<void> {
    if (this.policy.can('imago:publish_standard', principal)) return;
    const others = (await this.store.familyOwners(family)).filter((o) => o !== owner);
    if (others.length > 0) {
      throw new ForbiddenError(`Family ${family} belongs to another project; choose another family name.`, { reason: 'catalog.family_owner' });
    }
  }

  private async checkBase(principal: Principal, baseId: string, imageId: string | undefined): Promise<void> {
    const base = await this.images.get(baseId);
    if (!base || !(await this.visible(principal, base))) {
      throw new BadRequestError(`Base image ${baseId} does not exist or is not visible to you.`, { reason: 'catalog.base_not_found' });
    }
    const state = stateAt(base.catalog.deprecation, this.clock.now());
    if (!isUsable({ ...base.catalog.deprecation, state })) {
      throw new BadRequestError(`Base image ${baseId} is ${state} and cannot be built on.`, { reason: 'catalog.base_unusable' });
    }
    if (imageId === undefined) return;
    // Walking up from the new base must not reach the image itself.
    const chain: string[] = [];
    for (let cursor: string | null = baseId; cursor !== null && !chain.includes(imageId); cursor = (await this.store.baseOf(cursor))?.baseImageId ?? null) {
      if (chain.length >= MAX_LINEAGE_DEPTH) throw new BadRequestError(`Lineage deeper than ${MAX_LINEAGE_DEPTH} images is not supported.`, { reason: 'catalog.lineage_depth' });
      chain.push(cursor);
    }
    if (closesCycle(imageId, chain)) {
      throw new BadRequestError(`Image ${baseId} derives from ${imageId}: making it the base would create a cycle.`, { reason: 'catalog.lineage_cycle' });
    }
  }

  async refresh(image: Image): Promise<Image | undefined> {
    const now = this.clock.now();
    if (stateAt(image.catalog.deprecation, now) === image.catalog.deprecation.state) return image;
    return this.applyDue(image, now);
  }

  /**
   * Moves the image to the state its schedule says it is in at `now`, by compare-and-set on
   * its current state (two nodes applying it at once: one wins, the other re-reads). A due
   * delete of a protected image or one others derive from stops at obsolete instead.
   */
  async applyDue(image: Image, now: Date): Promise<Image | undefined> {
    const deprecation = image.catalog.deprecation;
    let state = stateAt(deprecation, now);
    let next = { ...deprecation, state };
    if (state === 'deleted' && (image.protected || (await this.store.children([image.id])).length > 0)) {
      state = 'obsolete';
      next = { ...deprecation, state, deletedAt: null };
    }
    return this.moveTo(image, next, now);
  }

  /**
   * Sets the image's deprecation by compare-and-set on its current state; a move to deleted
   * deletes the image (record first, then its bytes) and answers undefined.
   */
  async moveTo(image: Image, next: Deprecation, now: Date): Promise<Image | undefined> {
    const won = await this.store.setDeprecation(image.id, image.catalog.deprecation.state, next, now);
    if (won && next.state === 'deleted') {
      const deleted = await this.images.markDeleted(image.id, now);
      if (deleted?.location) await this.stores.remove(deleted.location);
      return undefined;
    }
    return this.images.get(image.id);
  }

  current(image: Image): Image {
    const state = stateAt(image.catalog.deprecation, this.clock.now());
    if (state === image.catalog.deprecation.state) return image;
    return { ...image, catalog: { ...image.catalog, deprecation: { ...image.catalog.deprecation, state } } };
  }

  async checkDelete(principal: Principal, image: Image, force: boolean): Promise<void> {
    const children = await this.store.children([image.id]);
    if (children.length === 0) return;
    if (!force) {
      const named = children.slice(0, 5).map((c) => c.id).join(', ');
      throw new ConflictError(
        `Image ${image.id} cannot be deleted: ${children.length} image(s) derive from it (${named}${children.length > 5 ? ', …' : ''}). Delete them first, or (admins) delete with force=true.`,
        { reason: 'catalog.has_descendants' },
      );
    }
    this.policy.enforce('imago:force_delete_image', principal, { image });
  }

  async checkActivation(image: Pick<Image, 'id' | 'properties' | 'catalog'>): Promise<void> {
    const rules = await this.store.requiredPropertiesFor(image.catalog.kind, image.catalog.family);
    const missing = [...new Set(rules.flatMap((r) => r.properties))].filter((name) => !Object.hasOwn(image.properties, name)).sort();
    if (missing.length === 0) return;
    const why = rules.map((r) => `${r.scope} ${r.name}`).join(' and ');
    throw new BadRequestError(
      `Image ${image.id} cannot become active: ${why} require${rules.length === 1 ? 's' : ''} the properties ${missing.join(', ')}, missing here.`,
      { reason: 'catalog.required_properties' },
    );
  }

  checkUse(principal: Principal, image: Image): DeprecationNotice | undefined {
    const { state, replacement } = image.catalog.deprecation;
    if (state === 'obsolete' && image.owner !== principal.projectId && !this.policy.isAdmin(principal)) {
      throw new ForbiddenError(
        `Image ${image.id} is obsolete${replacement ? `; use ${replacement} instead` : ''}. Only its owner and admins may still download it.`,
        { reason: 'catalog.obsolete' },
      );
    }
    return state === 'deprecated' || state === 'obsolete' ? { imageId: image.id, state, replacement } : undefined;
  }
}
