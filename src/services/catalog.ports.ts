/** What the catalog services need from storage (implemented by db/repositories/catalog.repository.ts). */
import type { CatalogFields, Deprecation, DeprecationState, ImageKind } from '../domain/catalog.js';
import type { Image } from '../domain/image.js';
import type { Viewer } from '../domain/image-query.js';
import type { Principal } from '../domain/principal.js';

/** Keep the newest `keep` versions of the family; the older ones are deprecated, made obsolete or deleted. */
export interface FamilyRetention {
  family: string;
  keep: number;
  action: 'deprecate' | 'obsolete' | 'delete';
}

/** Properties every image of a kind (or of a family) must have to become active. */
export interface RequiredPropertiesRule {
  scope: 'kind' | 'family';
  name: string;
  properties: string[];
}

export interface CatalogStore {
  children(ids: readonly string[]): Promise<Array<{ id: string; baseImageId: string }>>;
  baseOf(id: string): Promise<{ baseImageId: string | null; deleted: boolean } | undefined>;
  familyOwners(family: string): Promise<Array<string | null>>;
  families(viewer: Viewer): Promise<Array<{ family: string; versions: number }>>;
  dueTransitions(now: Date, limit: number): Promise<string[]>;
  setDeprecation(id: string, from: DeprecationState, deprecation: Deprecation, now: Date): Promise<boolean>;
  retention(family: string): Promise<FamilyRetention | undefined>;
  retentions(): Promise<FamilyRetention[]>;
  setRetention(retention: FamilyRetention, now: Date): Promise<void>;
  deleteRetention(family: string): Promise<boolean>;
  requiredProperties(): Promise<RequiredPropertiesRule[]>;
  requiredPropertiesFor(kind: ImageKind, family: string | null): Promise<RequiredPropertiesRule[]>;
  setRequiredProperties(rule: RequiredPropertiesRule, now: Date): Promise<void>;
  deleteRequiredProperties(scope: RequiredPropertiesRule['scope'], name: string): Promise<boolean>;
}

/** A deprecated image's notice, for the warning a read or download carries. */
export interface DeprecationNotice {
  imageId: string;
  state: 'deprecated' | 'obsolete';
  replacement: string | null;
}

/**
 * The narrow interface through which the image use-cases apply catalog rules (implemented by
 * services/catalog-rules.ts): they stay ignorant of lineage, families and deprecation.
 */
export interface CatalogHooks {
  /** The catalog fields a document asks for, checked (kind rights, family owner, base, cycles); 4xx otherwise. */
  fieldsFor(principal: Principal, doc: Record<string, unknown>, current: Image | null, owner: string | null): Promise<CatalogFields>;
  /** Applies a due deprecation transition now; undefined when that deleted the image. */
  refresh(image: Image): Promise<Image | undefined>;
  /** The image with a due state shown (no write): for list pages. */
  current(image: Image): Image;
  /** Refuses to delete an image others derive from, unless an admin forces it. */
  checkDelete(principal: Principal, image: Image, force: boolean): Promise<void>;
  /** Refuses activation while required properties are missing (listing them). */
  checkActivation(image: Pick<Image, 'id' | 'properties' | 'catalog'>): Promise<void>;
  /** Refuses to hand out an obsolete image's data (except to its owner and admins); a notice when deprecated. */
  checkUse(principal: Principal, image: Image): DeprecationNotice | undefined;
}
