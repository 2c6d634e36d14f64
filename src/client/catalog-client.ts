/**
 * Imago's catalog API (/imago/v1: lineage, families, deprecation, retention) for the CLI and
 * other TypeScript callers. It rides on an ImageClient's connection (ImageClient.catalog()).
 */
import type {
  AncestryDocument, DeprecationRequest, DescendantsDocument, FamilyDocument, RetentionDocument, StalenessDocument,
} from './catalog-types.js';
import type { ImageRecord } from './image-types.js';
import type { JsonRequest } from './metadef-client.js';

const image = (id: string): string => `/imago/v1/images/${encodeURIComponent(id)}`;
const family = (name: string): string => `/imago/v1/families/${encodeURIComponent(name)}`;

export class CatalogClient {
  constructor(private readonly request: JsonRequest) {}

  ancestry(id: string): Promise<AncestryDocument> {
    return this.request('GET', `${image(id)}/ancestry`);
  }

  descendants(id: string): Promise<DescendantsDocument> {
    return this.request('GET', `${image(id)}/descendants`);
  }

  staleness(id: string): Promise<StalenessDocument> {
    return this.request('GET', `${image(id)}/stale`);
  }

  /** The image as it is afterwards; undefined when the request deleted it. */
  deprecate(id: string, request: DeprecationRequest): Promise<ImageRecord | undefined> {
    return this.request('PUT', `${image(id)}/deprecation`, request);
  }

  async families(): Promise<FamilyDocument[]> {
    return (await this.request<{ families: FamilyDocument[] }>('GET', '/imago/v1/families')).families;
  }

  family(name: string): Promise<FamilyDocument> {
    return this.request('GET', family(name));
  }

  latest(name: string): Promise<ImageRecord> {
    return this.request('GET', `${family(name)}/latest`);
  }

  async familyStale(name: string): Promise<StalenessDocument[]> {
    return (await this.request<{ stale: StalenessDocument[] }>('GET', `${family(name)}/stale`)).stale;
  }

  setRetention(name: string, retention: RetentionDocument): Promise<RetentionDocument & { family: string; retired: string[] }> {
    return this.request('PUT', `${family(name)}/retention`, retention);
  }
}
