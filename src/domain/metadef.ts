/**
 * Metadata definitions (Glance's "metadefs"): a catalog of the keys that may be set on images,
 * flavors, volumes and so on, grouped in namespaces. A namespace holds property definitions
 * (a JSON-schema fragment per key), objects (named groups of property definitions), tags, and
 * associations with the resource types it applies to, each with an optional key prefix
 * (`hw_` on images, `hw:` on flavors).
 *
 * Imago adds one field: a namespace's validation mode, which decides what happens when an
 * image property it defines is set to a value its definition does not allow.
 */

export const METADEF_VISIBILITIES = ['public', 'private'] as const;
export type MetadefVisibility = (typeof METADEF_VISIBILITIES)[number];

/** strict: refuse the image change (400); warn: accept it with a warning; off: do not check. */
export const VALIDATION_MODES = ['strict', 'warn', 'off'] as const;
export type ValidationMode = (typeof VALIDATION_MODES)[number];

/** The resource type whose associations make a namespace's properties apply to images. */
export const IMAGE_RESOURCE_TYPE = 'OS::Glance::Image';

export const PROPERTY_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'] as const;

/**
 * One property definition, in Glance's wire shape (a JSON-schema fragment). Only the keys
 * this file names are kept; the metadef schemas refuse others.
 */
export interface PropertyDefinition {
  title: string;
  type: (typeof PROPERTY_TYPES)[number] | null;
  description?: string;
  operators?: string[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  readonly?: boolean;
  default?: unknown;
  items?: { type?: (typeof PROPERTY_TYPES)[number] | null; enum?: unknown[] };
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  additionalItems?: boolean;
}

export interface MetadefNamespace {
  /** Internal key; the API names namespaces by `namespace`, which may be renamed. */
  id: string;
  namespace: string;
  displayName: string | null;
  description: string | null;
  visibility: MetadefVisibility;
  protected: boolean;
  owner: string;
  validation: ValidationMode;
  createdAt: Date;
  updatedAt: Date;
}

export interface MetadefObject {
  name: string;
  description: string | null;
  required: string[];
  properties: Record<string, PropertyDefinition>;
  createdAt: Date;
  updatedAt: Date;
}

export interface MetadefProperty {
  name: string;
  definition: PropertyDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export interface MetadefTag {
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResourceType {
  name: string;
  protected: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResourceTypeAssociation {
  /** The resource type's name. */
  name: string;
  /** Prepended to the namespace's property names on resources of this type (e.g. `hw_`). */
  prefix: string | null;
  /** Where on the resource the properties go (Cinder: `image` or `volume` metadata). */
  propertiesTarget: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A namespace with everything in it, as show returns it and as a create may carry it. */
export interface NamespaceContents {
  objects: MetadefObject[];
  properties: MetadefProperty[];
  tags: MetadefTag[];
  resourceTypeAssociations: ResourceTypeAssociation[];
}

/** A property definition that applies to images, with the namespace it comes from. */
export interface ImagePropertyRule {
  /** The image property it governs: the association's prefix followed by the definition's name. */
  key: string;
  namespace: string;
  /** An object's name when the definition is one of its properties. */
  object: string | null;
  mode: ValidationMode;
  definition: PropertyDefinition;
}
