/** Metadata definitions as the API returns them (see docs/metadefs.md). */

export interface PropertyDefinitionRecord {
  title: string;
  type: string | null;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: { type?: string | null; enum?: unknown[] };
  [key: string]: unknown;
}

export interface ResourceTypeAssociationRecord {
  name: string;
  prefix?: string;
  properties_target?: string;
  created_at: string;
  updated_at: string;
}

export interface NamespaceRecord {
  namespace: string;
  display_name?: string;
  description?: string;
  visibility: 'public' | 'private';
  protected: boolean;
  owner: string;
  /** Imago: what happens to image property values this namespace does not allow. */
  imago_validation: 'strict' | 'warn' | 'off';
  created_at: string;
  updated_at: string;
  self: string;
  schema: string;
  resource_type_associations?: ResourceTypeAssociationRecord[];
  properties?: Record<string, PropertyDefinitionRecord>;
  objects?: Array<{ name: string; description?: string; required?: string[]; properties: Record<string, PropertyDefinitionRecord> }>;
  tags?: Array<{ name: string }>;
}

export interface NamespacePage {
  namespaces: NamespaceRecord[];
  first: string;
  next?: string;
  schema: string;
}

export interface NamespaceCreateFields {
  namespace: string;
  display_name?: string;
  description?: string;
  visibility?: 'public' | 'private';
  protected?: boolean;
  imago_validation?: 'strict' | 'warn' | 'off';
  resource_type_associations?: Array<{ name: string; prefix?: string; properties_target?: string }>;
}

export interface ResourceTypeRecord {
  name: string;
  created_at: string;
  updated_at: string;
}
