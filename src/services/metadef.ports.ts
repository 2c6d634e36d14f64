/** What the metadata definitions services need from the catalog (db/repositories/metadef.repository.ts). */
import type {
  MetadefNamespace, MetadefTag, MetadefVisibility, NamespaceContents, PropertyDefinition, ResourceType,
  ResourceTypeAssociation, ValidationMode,
} from '../domain/metadef.js';

export type NamespaceSortKey = 'created_at' | 'updated_at' | 'namespace';
export type SortDir = 'asc' | 'desc';

export interface NamespaceListQuery {
  /** Non-admins see public namespaces and their own project's. */
  viewer: { isAdmin: boolean; projectId: string };
  visibility?: MetadefVisibility;
  /** Only namespaces associated with at least one of these resource types. */
  resourceTypes: string[];
  sortKey: NamespaceSortKey;
  sortDir: SortDir;
  /** The last namespace of the previous page. */
  marker?: MetadefNamespace;
  limit: number;
}

export interface TagListQuery {
  sortKey: 'created_at' | 'name';
  sortDir: SortDir;
  marker?: MetadefTag;
  limit?: number;
}

/** Objects and properties are both named JSON documents in a namespace. */
export type DocumentKind = 'objects' | 'properties';

export interface StoredDocument {
  name: string;
  document: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export type NamespaceChanges = Partial<Pick<MetadefNamespace,
  'namespace' | 'displayName' | 'description' | 'visibility' | 'protected' | 'owner' | 'validation'>> & { updatedAt: Date };

/** A definition that governs an image property, found by the image property's key. */
export interface ImageRuleRow {
  namespace: string;
  mode: ValidationMode;
  prefix: string | null;
  /** Set when the definition belongs to an object of the namespace. */
  object: string | null;
  name: string;
  definition: PropertyDefinition;
}

export type Duplicate = { duplicate: true };
export const DUPLICATE: Duplicate = { duplicate: true };
export const isDuplicate = (value: unknown): value is Duplicate =>
  typeof value === 'object' && value !== null && (value as Partial<Duplicate>).duplicate === true;

export interface MetadefCatalog {
  getNamespace(name: string): Promise<MetadefNamespace | undefined>;
  listNamespaces(query: NamespaceListQuery): Promise<MetadefNamespace[]>;
  /** The namespace and its contents in one transaction; unknown resource types are created. */
  createNamespace(namespace: MetadefNamespace, contents: NamespaceContents): Promise<MetadefNamespace | Duplicate>;
  updateNamespace(id: string, changes: NamespaceChanges): Promise<MetadefNamespace | Duplicate | undefined>;
  deleteNamespace(id: string): Promise<boolean>;
  contents(namespaceId: string): Promise<NamespaceContents>;
  associationsOf(namespaceIds: readonly string[]): Promise<Map<string, ResourceTypeAssociation[]>>;

  listDocuments(kind: DocumentKind, namespaceId: string): Promise<StoredDocument[]>;
  getDocument(kind: DocumentKind, namespaceId: string, name: string): Promise<StoredDocument | undefined>;
  createDocument(kind: DocumentKind, namespaceId: string, document: StoredDocument): Promise<StoredDocument | Duplicate>;
  /** Replaces a document, renaming it when `document.name` differs from `name`. */
  updateDocument(kind: DocumentKind, namespaceId: string, name: string, document: Omit<StoredDocument, 'createdAt'>): Promise<StoredDocument | Duplicate | undefined>;
  deleteDocument(kind: DocumentKind, namespaceId: string, name: string): Promise<boolean>;
  deleteDocuments(kind: DocumentKind, namespaceId: string): Promise<void>;

  listTags(namespaceId: string, query: TagListQuery): Promise<MetadefTag[]>;
  getTag(namespaceId: string, name: string): Promise<MetadefTag | undefined>;
  /** Adds tags; with `replace`, the namespace's other tags go in the same transaction. */
  createTags(namespaceId: string, names: readonly string[], now: Date, options: { replace: boolean }): Promise<MetadefTag[] | Duplicate>;
  renameTag(namespaceId: string, name: string, newName: string, now: Date): Promise<MetadefTag | Duplicate | undefined>;
  deleteTag(namespaceId: string, name: string): Promise<boolean>;
  deleteTags(namespaceId: string): Promise<void>;

  listResourceTypes(): Promise<ResourceType[]>;
  listAssociations(namespaceId: string): Promise<ResourceTypeAssociation[]>;
  /** Creates the resource type too when it is new, as Glance does. */
  createAssociation(namespaceId: string, association: ResourceTypeAssociation): Promise<ResourceTypeAssociation | Duplicate>;
  deleteAssociation(namespaceId: string, resourceType: string): Promise<boolean>;

  /**
   * Definitions of the given image property keys (association prefix + property name) from
   * namespaces associated with OS::Glance::Image whose mode is not off and which are public
   * or owned by `owner`.
   */
  imageRules(keys: readonly string[], owner: string | null): Promise<ImageRuleRow[]>;

  /** Names of shipped namespaces already loaded once (see services/metadef-seed.service.ts). */
  seeded(): Promise<Set<string>>;
  /**
   * Loads a shipped namespace and records it as loaded, in one transaction. A namespace of
   * that name made by someone else is left alone (and recorded); so is a concurrent load.
   */
  seedNamespace(namespace: MetadefNamespace, contents: NamespaceContents, now: Date): Promise<'loaded' | 'skipped'>;
}
