/**
 * A typed client of the OpenStack Image API v2 as Imago serves it. Image data always
 * streams: uploads send a chunked body pulled from the source as the socket drains, and
 * downloads hand back the response body as a stream, so memory stays flat whatever the size.
 */
import { Readable } from 'node:stream';
import { ConnectionError, describeNetworkFailure } from './api-error.js';
import { normalizeBaseUrl } from './base-url.js';
import { countBytes } from './byte-counter.js';
import { formatRange, parseContentRange, type ByteRangeRequest, type ContentRange } from './byte-range.js';
import { HttpTransport } from './http-transport.js';
import type {
  ImageCreateFields, ImageListQuery, ImagePage, ImageRecord, PatchOperation, ProgressListener,
} from './image-types.js';
import { encodeListQuery } from './list-query.js';
import { CatalogClient } from './catalog-client.js';
import { MetadefClient, type JsonRequest } from './metadef-client.js';
import type { ImageMemberList, ImageMemberRecord, MemberStatus } from './member-types.js';
import type { ProjectQuotasDocument, QuotaName, UsageDocument } from './quota-types.js';

export interface ImageClientOptions {
  /** The endpoint, with or without the trailing `/v2` (both forms circulate in OpenStack configs). */
  baseUrl: string;
  /** Sent as X-Auth-Token; omit for anonymous requests. */
  token?: string;
  /** Replaces the global fetch (tests, instrumentation, a browser's fetch). */
  fetch?: typeof fetch;
}

export const JSON_PATCH_MEDIA_TYPE = 'application/openstack-images-v2.1-json-patch';

export interface UploadOptions {
  /** The exact byte count, sent as x-openstack-image-size so the server can refuse early. */
  size?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  range?: ByteRangeRequest;
  /** Imago extension: convert to this disk format while downloading (`?format=vmdk`). */
  format?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface ImageDownload {
  /** 200 whole image, 206 a range, 204 an image without data. */
  status: number;
  stream: Readable;
  contentLength: number | undefined;
  /** The server's MD5 of the whole image (Glance sends it as hex), absent for ranges. */
  contentMd5: string | undefined;
  contentRange: ContentRange | undefined;
  headers: Headers;
}

export class ImageClient {
  readonly baseUrl: string;
  private readonly http: HttpTransport;

  constructor(options: ImageClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.http = new HttpTransport(this.baseUrl, options.token, options.fetch);
  }

  async createImage(fields: ImageCreateFields): Promise<ImageRecord> {
    return this.json('POST', '/v2/images', fields, 'application/json');
  }

  async getImage(id: string): Promise<ImageRecord> {
    return this.json('GET', `/v2/images/${encodeURIComponent(id)}`);
  }

  /** One page; follow `next` with listNext, or iterate everything with pages/allImages. */
  async listImages(query: ImageListQuery = {}): Promise<ImagePage> {
    return this.json('GET', `/v2/images${encodeListQuery(query)}`);
  }

  async listNext(page: ImagePage): Promise<ImagePage | undefined> {
    return page.next === undefined ? undefined : this.json('GET', this.resolveLink(page.next));
  }

  /** Every page of a listing, following the server's `next` links (which keep the query). */
  async *pages(query: ImageListQuery = {}): AsyncGenerator<ImagePage, void, undefined> {
    let page: ImagePage | undefined = await this.listImages(query);
    while (page !== undefined) {
      yield page;
      page = await this.listNext(page);
    }
  }

  async *allImages(query: ImageListQuery = {}): AsyncGenerator<ImageRecord, void, undefined> {
    for await (const page of this.pages(query)) yield* page.images;
  }

  async updateImage(id: string, operations: PatchOperation[]): Promise<ImageRecord> {
    return this.json('PATCH', `/v2/images/${encodeURIComponent(id)}`, operations, JSON_PATCH_MEDIA_TYPE);
  }

  async deleteImage(id: string): Promise<void> {
    await this.send('DELETE', `/v2/images/${encodeURIComponent(id)}`);
  }

  async addTag(id: string, tag: string): Promise<void> {
    await this.send('PUT', `/v2/images/${encodeURIComponent(id)}/tags/${encodeURIComponent(tag)}`);
  }

  async removeTag(id: string, tag: string): Promise<void> {
    await this.send('DELETE', `/v2/images/${encodeURIComponent(id)}/tags/${encodeURIComponent(tag)}`);
  }

  async deactivate(id: string): Promise<void> {
    await this.send('POST', `/v2/images/${encodeURIComponent(id)}/actions/deactivate`);
  }

  async reactivate(id: string): Promise<void> {
    await this.send('POST', `/v2/images/${encodeURIComponent(id)}/actions/reactivate`);
  }

  /** Shares the (shared-visibility) image with a project; the membership starts pending. */
  async addMember(id: string, project: string): Promise<ImageMemberRecord> {
    return this.json('POST', `/v2/images/${encodeURIComponent(id)}/members`, { member: project }, 'application/json');
  }

  /** All members for the owner; only the caller's own membership for a member. */
  async listMembers(id: string): Promise<ImageMemberList> {
    return this.json('GET', `/v2/images/${encodeURIComponent(id)}/members`);
  }

  async getMember(id: string, project: string): Promise<ImageMemberRecord> {
    return this.json('GET', `/v2/images/${encodeURIComponent(id)}/members/${encodeURIComponent(project)}`);
  }

  /** A member project accepts, rejects or resets (pending) an image shared with it. */
  async updateMember(id: string, project: string, status: MemberStatus): Promise<ImageMemberRecord> {
    return this.json('PUT', `/v2/images/${encodeURIComponent(id)}/members/${encodeURIComponent(project)}`, { status }, 'application/json');
  }

  async removeMember(id: string, project: string): Promise<void> {
    await this.send('DELETE', `/v2/images/${encodeURIComponent(id)}/members/${encodeURIComponent(project)}`);
  }

  /** GET /v2/info/usage: the caller's project's quotas and usage (Glance). */
  async getUsage(): Promise<UsageDocument> {
    return this.json('GET', '/v2/info/usage');
  }

  /** An admin's view of a project's quotas (Imago extension). */
  async getQuotas(projectId: string): Promise<ProjectQuotasDocument> {
    return this.json('GET', `/v2/quotas/${encodeURIComponent(projectId)}`);
  }

  /** Overrides some of a project's limits (Imago extension, admin). */
  async setQuotas(projectId: string, limits: Partial<Record<QuotaName, number>>): Promise<ProjectQuotasDocument> {
    return this.json('PUT', `/v2/quotas/${encodeURIComponent(projectId)}`, limits, 'application/json');
  }

  /** Puts one of a project's limits back to the default (Imago extension, admin). */
  async unsetQuota(projectId: string, name: QuotaName): Promise<void> {
    await this.send('DELETE', `/v2/quotas/${encodeURIComponent(projectId)}/${encodeURIComponent(name)}`);
  }

  /**
   * Streams `source` into PUT /v2/images/{id}/file. When reading the source fails, that
   * error is thrown rather than the broken request it causes, so the caller sees the cause.
   */
  async uploadImageData(id: string, source: AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<void> {
    let sourceError: unknown;
    const counted = countBytes(source, options.size, options.onProgress);
    const body = (async function* () {
      try {
        yield* counted;
      } catch (err) {
        sourceError = err;
        throw err;
      }
    })();
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (options.size !== undefined) headers['x-openstack-image-size'] = String(options.size);
    try {
      await this.send('PUT', `/v2/images/${encodeURIComponent(id)}/file`, { headers, body, signal: options.signal });
    } catch (err) {
      throw sourceError ?? err;
    } finally {
      // The server may answer (413, 409 …) before reading everything; stop reading the source.
      // Not awaited: a pull still pending on a stalled source must not hold up the caller.
      body.return(undefined).catch(() => undefined);
    }
  }

  async downloadImageData(id: string, options: DownloadOptions = {}): Promise<ImageDownload> {
    const headers: Record<string, string> = { accept: 'application/octet-stream' };
    if (options.range) headers.range = formatRange(options.range);
    const query = options.format === undefined ? '' : `?format=${encodeURIComponent(options.format)}`;
    const path = `/v2/images/${encodeURIComponent(id)}/file${query}`;
    const response = await this.send('GET', path, { headers, signal: options.signal });
    const lengthHeader = response.headers.get('content-length');
    const contentLength = response.status === 204 ? 0 : lengthHeader === null ? undefined : Number(lengthHeader);
    const url = `${this.baseUrl}${path}`;
    const chunks = response.body === null || response.status === 204 ? emptyBody() : readBody(response.body, url);
    return {
      status: response.status,
      stream: Readable.from(countBytes(chunks, contentLength, options.onProgress), { objectMode: false }),
      contentLength,
      contentMd5: response.headers.get('content-md5') ?? undefined,
      contentRange: parseContentRange(response.headers.get('content-range')),
      headers: response.headers,
    };
  }

  /** The metadata definitions API (/v2/metadefs) over this client's connection. */
  metadefs(): MetadefClient {
    return new MetadefClient(this.jsonRequest());
  }

  /** Imago's catalog API (/imago/v1: lineage, families, deprecation) over this client's connection. */
  catalog(): CatalogClient {
    return new CatalogClient(this.jsonRequest());
  }

  private jsonRequest(): JsonRequest {
    return (method, path, payload) => this.http.json(method, path, payload);
  }

  private json<T>(method: string, path: string, payload?: unknown, contentType?: string): Promise<T> {
    return this.http.json(method, path, payload, contentType === undefined ? {} : { 'content-type': contentType });
  }

  private send(method: string, pathOrUrl: string, init?: Parameters<HttpTransport['send']>[2]): Promise<Response> {
    return this.http.send(method, pathOrUrl, init);
  }

  /** `next`/`first` links are absolute paths (`/v2/images?marker=…`) under the endpoint. */
  private resolveLink(link: string): string {
    if (/^https?:\/\//.test(link)) return link;
    if (link.startsWith('/v2/') || link.startsWith('/v2?')) return `${this.baseUrl}${link}`;
    return new URL(link, `${this.baseUrl}/`).href;
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array, void, undefined> {}

/** A connection that drops mid-body surfaces from fetch as `TypeError: terminated`; name the URL. */
async function* readBody(body: AsyncIterable<Uint8Array>, url: string): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* body;
  } catch (err) {
    throw new ConnectionError(`download from ${url} was interrupted: ${describeNetworkFailure(err)}`, url, { cause: err });
  }
}
