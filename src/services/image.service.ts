/**
 * Image records: create, read, list, update, delete, tags and (de|re)activation, with the
 * policy enforced on every call. Knows nothing of HTTP; errors are typed domain errors.
 */
import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError } from '../domain/errors.js';
import type { Image, ImageStatus, MemberStatus, Visibility } from '../domain/image.js';
import { readFields, toDocument, assertWritableKey, type DocumentLimits, type ImageFields } from '../domain/image-document.js';
import { formatsMutable } from '../domain/image-lifecycle.js';
import { applyPatch, type PatchOperation, type PatchOptions } from '../domain/image-patch.js';
import type { AttributeFilter, SortSpec } from '../domain/image-query.js';
import type { Policy, PolicyTarget } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { StoreRegistry } from '../storage/store-registry.js';
import type { ImagePropertyCheck } from './image-property-validator.js';
import type { CatalogHooks } from './catalog.ports.js';
import type { MembershipLookup } from './member.ports.js';
import type { Clock, ImageCatalog, ImageChanges } from './ports.js';
import type { QuotaService } from './quota.service.js';

export interface ImageServiceLimits extends DocumentLimits {
  listLimitDefault: number;
  listLimitMax: number;
}

/** A list request after the wire format has been parsed (see http/image-list.params.ts). */
export interface ListImagesParams {
  visibility?: Visibility | 'all';
  memberStatus?: MemberStatus | 'all';
  filters: AttributeFilter[];
  tags: string[];
  properties: Record<string, string>;
  sort: SortSpec[];
  marker?: string;
  limit?: number;
}

export interface ImagePage {
  images: Image[];
  /** Set when another page may follow: the id to pass as the next marker. */
  nextMarker?: string;
}

/** An image the caller may see, with the caller's membership if it is another project's shared image. */
export interface VisibleImage extends PolicyTarget {
  image: Image;
  memberStatus: MemberStatus | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ImageService {
  constructor(
    private readonly catalog: ImageCatalog,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly limits: ImageServiceLimits,
    private readonly stores: StoreRegistry,
    private readonly quotas: QuotaService,
    private readonly members: MembershipLookup,
    /** Kinds, families, lineage and deprecation (services/catalog-rules.ts). */
    private readonly catalogRules: CatalogHooks,
    /** Checks property values against metadata definitions (absent: no checks). */
    private readonly propertyCheck?: ImagePropertyCheck,
  ) {}

  /** Warnings about the image (e.g. property values its metadata definitions warn about) are added to `warnings`. */
  async create(principal: Principal, body: Record<string, unknown>, warnings: string[] = []): Promise<Image> {
    this.policy.enforce('add_image', principal);
    for (const key of Object.keys(body)) if (key !== 'id') assertWritableKey(key);
    const fields = readFields(body, this.limits);
    this.checkOwnership(principal, fields, null);
    const catalog = await this.catalogRules.fieldsFor(principal, body, null, fields.owner ?? principal.projectId);
    const id = typeof body.id === 'string' ? body.id.toLowerCase() : randomUUID();
    const now = this.clock.now();
    const image: Image = {
      id,
      ...fields,
      owner: fields.owner ?? principal.projectId,
      status: 'queued',
      size: null,
      virtualSize: null,
      checksum: null,
      osHashAlgo: null,
      osHashValue: null,
      location: null,
      createdAt: now,
      updatedAt: now,
      catalog,
    };
    await this.quotas.checkCreate(image.owner);
    if (this.propertyCheck) warnings.push(...await this.propertyCheck.check(image, Object.keys(image.properties)));
    await this.catalog.create(image);
    return image;
  }

  /** Loads an image the caller may see, or throws 404. */
  async get(principal: Principal, id: string): Promise<Image> {
    return (await this.load(principal, id)).image;
  }

  /** Loads an image the caller may see with the caller's membership, the target for further policy checks; 404 otherwise. */
  async load(principal: Principal, id: string): Promise<VisibleImage> {
    const stored = UUID.test(id) ? await this.catalog.get(id.toLowerCase()) : undefined;
    // A deprecation transition that has come due is applied now, whatever the scheduler's pace.
    const image = stored && await this.catalogRules.refresh(stored);
    if (!image) throw new NotFoundError(`No image found with ID ${id}`, { reason: 'image.not_found' });
    const target = await this.targetOf(principal, image);
    this.policy.enforce('get_image', principal, target);
    return target;
  }

  /** Only another project's shared image can be visible through a membership, so only then is it looked up. */
  private async targetOf(principal: Principal, image: Image): Promise<VisibleImage> {
    const lookUp = image.visibility === 'shared' && image.owner !== principal.projectId && !this.policy.isAdmin(principal);
    return { image, memberStatus: lookUp ? await this.members.statusOf(image.id, principal.projectId) : null };
  }

  async list(principal: Principal, params: ListImagesParams): Promise<ImagePage> {
    this.policy.enforce('get_images', principal);
    const limit = Math.min(params.limit ?? this.limits.listLimitDefault, this.limits.listLimitMax);
    let marker: Image | undefined;
    if (params.marker !== undefined) {
      marker = UUID.test(params.marker) ? await this.catalog.get(params.marker.toLowerCase()) : undefined;
      if (!marker || !this.policy.can('get_image', principal, await this.targetOf(principal, marker))) {
        throw new BadRequestError(`Marker ${params.marker} could not be found.`, { reason: 'list.marker' });
      }
    }
    const filters = [...params.filters];
    // Hidden images are left out unless the caller asks about os_hidden explicitly.
    if (!filters.some((f) => f.field === 'os_hidden')) filters.push({ field: 'os_hidden', op: 'eq', value: false });
    const images = await this.catalog.list({
      viewer: { isAdmin: this.policy.isAdmin(principal), projectId: principal.projectId },
      visibility: params.visibility,
      memberStatus: params.memberStatus,
      filters,
      tags: params.tags,
      properties: params.properties,
      sort: params.sort,
      marker,
      limit,
    });
    const shown = images.map((image) => this.catalogRules.current(image));
    return shown.length === limit && limit > 0 ? { images: shown, nextMarker: shown[shown.length - 1]!.id } : { images: shown };
  }

  async update(principal: Principal, id: string, operations: PatchOperation[], options: PatchOptions, warnings: string[] = []): Promise<Image> {
    const target = await this.load(principal, id);
    this.policy.enforce('modify_image', principal, target);
    const { image } = target;
    const doc = applyPatch(toDocument(image), operations, options);
    const fields = readFields(doc, this.limits);
    this.checkOwnership(principal, fields, image);
    const catalog = await this.catalogRules.fieldsFor(principal, doc, image, fields.owner ?? image.owner);
    const recatalogued = catalog.kind !== image.catalog.kind || catalog.family !== image.catalog.family;
    if (image.status === 'active' && recatalogued) await this.catalogRules.checkActivation({ id: image.id, properties: fields.properties, catalog });
    if ((fields.diskFormat !== image.diskFormat || fields.containerFormat !== image.containerFormat) && !formatsMutable(image.status)) {
      const which = fields.diskFormat !== image.diskFormat ? 'disk_format' : 'container_format';
      throw new ForbiddenError(`Attribute ${which} can be only replaced for a queued image.`, { reason: 'image.formats_immutable' });
    }
    const changes = diff(image, fields, this.clock.now());
    if (JSON.stringify(catalog) !== JSON.stringify(image.catalog)) changes.catalog = catalog;
    // Only values this change sets are checked: an image keeps what it was accepted with.
    const setKeys = Object.keys(changes.properties?.set ?? {});
    if (this.propertyCheck && setKeys.length > 0) warnings.push(...await this.propertyCheck.check({ owner: changes.owner ?? image.owner, properties: fields.properties }, setKeys));
    const updated = await this.catalog.update(image.id, changes, { status: [image.status] });
    if (!updated) throw new ConflictError(`Image ${id} was changed by another request; retry.`, { reason: 'image.concurrent_update' });
    return updated;
  }

  /** `force`: an admin deletes an image others derive from (they keep naming it as their base). */
  async delete(principal: Principal, id: string, options: { force?: boolean } = {}): Promise<Image> {
    const target = await this.load(principal, id);
    this.policy.enforce('delete_image', principal, target);
    const { image } = target;
    if (image.protected) throw new ForbiddenError(`Image ${image.id} is protected and cannot be deleted.`, { reason: 'image.protected' });
    await this.catalogRules.checkDelete(principal, image, options.force ?? false);
    const deleted = await this.catalog.markDeleted(image.id, this.clock.now());
    if (!deleted) throw new NotFoundError(`No image found with ID ${id}`, { reason: 'image.not_found' });
    // The record goes first so the image disappears at once; its bytes follow.
    if (deleted.location) await this.stores.remove(deleted.location);
    return deleted;
  }

  async addTag(principal: Principal, id: string, tag: string): Promise<void> {
    const target = await this.load(principal, id);
    this.policy.enforce('modify_image', principal, target);
    const { image } = target;
    if (tag.length === 0 || tag.length > 255) throw new BadRequestError('Tags must be 1 to 255 characters long.', { reason: 'image.tag' });
    if (!image.tags.includes(tag) && image.tags.length >= this.limits.tagQuota) {
      throw new PayloadTooLargeError(`Maximum number of tags exceeded: attempted ${image.tags.length + 1}, maximum ${this.limits.tagQuota}.`, { reason: 'image.tag_quota' });
    }
    if (!(await this.catalog.addTag(image.id, tag, this.clock.now()))) throw new NotFoundError(`No image found with ID ${id}`, { reason: 'image.not_found' });
  }

  async removeTag(principal: Principal, id: string, tag: string): Promise<void> {
    const target = await this.load(principal, id);
    this.policy.enforce('modify_image', principal, target);
    const { image } = target;
    if (!(await this.catalog.removeTag(image.id, tag, this.clock.now()))) {
      throw new NotFoundError(`Tag ${tag} not found on image ${id}`, { reason: 'image.tag_not_found' });
    }
  }

  async deactivate(principal: Principal, id: string): Promise<void> {
    await this.toggleActive(principal, id, 'deactivate', 'active', 'deactivated');
  }

  async reactivate(principal: Principal, id: string): Promise<void> {
    await this.toggleActive(principal, id, 'reactivate', 'deactivated', 'active');
  }

  private async toggleActive(principal: Principal, id: string, action: 'deactivate' | 'reactivate', from: ImageStatus, to: ImageStatus): Promise<void> {
    const target = await this.load(principal, id);
    this.policy.enforce(action, principal, target);
    const { image } = target;
    if (image.status === to) return; // Glance treats repeating the action as a no-op.
    if (image.status !== from) {
      throw new ForbiddenError(`Not allowed to ${action} image in status '${image.status}'`, { reason: `image.${action}_status` });
    }
    if (to === 'active') await this.catalogRules.checkActivation(image);
    const updated = await this.catalog.update(image.id, { status: to, updatedAt: this.clock.now() }, { status: [from] });
    if (!updated) throw new ConflictError(`Image ${id} changed status during ${action}; retry.`, { reason: 'image.concurrent_update' });
  }

  /** Visibility and owner changes need more than modify_image (Glance's publicize/communitize rules). */
  private checkOwnership(principal: Principal, fields: ImageFields, current: Image | null): void {
    if (fields.visibility === 'public' && current?.visibility !== 'public') this.policy.enforce('publicize_image', principal, { image: current ?? undefined });
    if (fields.visibility === 'community' && current?.visibility !== 'community') this.policy.enforce('communitize_image', principal, current ? { image: current } : {});
    const owner = fields.owner ?? principal.projectId;
    if (owner !== (current?.owner ?? principal.projectId) && !this.policy.can('set_image_owner', principal)) {
      throw new ForbiddenError('You are not permitted to create or modify images owned by another project.', { reason: 'policy.set_image_owner' });
    }
  }
}

function diff(image: Image, fields: ImageFields, now: Date): ImageChanges {
  const changes: ImageChanges = { updatedAt: now };
  if (fields.name !== image.name) changes.name = fields.name;
  if (fields.visibility !== image.visibility) changes.visibility = fields.visibility;
  if (fields.protected !== image.protected) changes.protected = fields.protected;
  if (fields.osHidden !== image.osHidden) changes.osHidden = fields.osHidden;
  if (fields.owner !== image.owner && fields.owner !== null) changes.owner = fields.owner;
  if (fields.diskFormat !== image.diskFormat) changes.diskFormat = fields.diskFormat;
  if (fields.containerFormat !== image.containerFormat) changes.containerFormat = fields.containerFormat;
  if (fields.minDisk !== image.minDisk) changes.minDisk = fields.minDisk;
  if (fields.minRam !== image.minRam) changes.minRam = fields.minRam;
  if ([...fields.tags].sort().join('\0') !== [...image.tags].sort().join('\0')) changes.tags = fields.tags;
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields.properties)) if (image.properties[key] !== value) set[key] = value;
  const remove = Object.keys(image.properties).filter((key) => !(key in fields.properties));
  if (Object.keys(set).length > 0 || remove.length > 0) changes.properties = { set, remove };
  return changes;
}
