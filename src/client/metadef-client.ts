/**
 * The metadata definitions API (/v2/metadefs) for the CLI and other TypeScript callers. It
 * rides on an ImageClient's connection (ImageClient.metadefs()), so endpoint, token and error
 * handling are the image API's.
 */
import type {
  NamespaceCreateFields, NamespacePage, NamespaceRecord, PropertyDefinitionRecord, ResourceTypeRecord,
} from './metadef-types.js';

/** Sends one JSON request under the image endpoint and returns the parsed answer (undefined for 204). */
export type JsonRequest = <T>(method: string, path: string, payload?: unknown) => Promise<T>;

export interface NamespaceListQuery {
  resource_types?: string[];
  visibility?: 'public' | 'private';
  limit?: number;
  marker?: string;
}

const ns = (name: string): string => `/v2/metadefs/namespaces/${encodeURIComponent(name)}`;

export class MetadefClient {
  constructor(private readonly request: JsonRequest) {}

  async listNamespaces(query: NamespaceListQuery = {}): Promise<NamespacePage> {
    const params = new URLSearchParams();
    if (query.resource_types?.length) params.set('resource_types', query.resource_types.join(','));
    if (query.visibility) params.set('visibility', query.visibility);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.marker !== undefined) params.set('marker', query.marker);
    const text = params.toString();
    return this.request('GET', `/v2/metadefs/namespaces${text ? `?${text}` : ''}`);
  }

  /** Every namespace the caller may see, following the pages. */
  async allNamespaces(query: Omit<NamespaceListQuery, 'marker'> = {}): Promise<NamespaceRecord[]> {
    const all: NamespaceRecord[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.listNamespaces({ ...query, ...(marker === undefined ? {} : { marker }) });
      all.push(...page.namespaces);
      if (!page.next || page.namespaces.length === 0) return all;
      marker = page.namespaces[page.namespaces.length - 1]!.namespace;
    }
  }

  async getNamespace(name: string): Promise<NamespaceRecord> {
    return this.request('GET', ns(name));
  }

  async createNamespace(fields: NamespaceCreateFields): Promise<NamespaceRecord> {
    return this.request('POST', '/v2/metadefs/namespaces', fields);
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.request('DELETE', ns(name));
  }

  async listProperties(namespace: string): Promise<Record<string, PropertyDefinitionRecord>> {
    return (await this.request<{ properties: Record<string, PropertyDefinitionRecord> }>('GET', `${ns(namespace)}/properties`)).properties;
  }

  async getProperty(namespace: string, name: string): Promise<PropertyDefinitionRecord & { name: string }> {
    return this.request('GET', `${ns(namespace)}/properties/${encodeURIComponent(name)}`);
  }

  async listResourceTypes(): Promise<ResourceTypeRecord[]> {
    return (await this.request<{ resource_types: ResourceTypeRecord[] }>('GET', '/v2/metadefs/resource_types')).resource_types;
  }
}
