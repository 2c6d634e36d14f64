/**
 * A shipped namespace as written in src/metadefs/: the same JSON document a namespace create
 * takes (see domain/metadef-schema.ts), so it is validated the same way when it loads.
 */
import type { PropertyDefinition } from '../domain/metadef.js';

export interface NamespaceDocument {
  namespace: string;
  display_name: string;
  description: string;
  resource_type_associations: Array<{ name: string; prefix?: string; properties_target?: string }>;
  properties: Record<string, PropertyDefinition>;
}
