/**
 * Image data: upload (PUT /file) and download (GET /file).
 *
 * Upload is a staged write: queued → saving by compare-and-set (so two uploads cannot race),
 * the bytes stream through the size cap (and what is left of the project's image_size_total
 * quota) and the hashers into a storage writer, and only when everything checks out is the
 * writer committed and the image made active. On any failure
 * the staged bytes are discarded and the image goes back to queued, so the client may retry.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadRequestError, ConflictError, ForbiddenError, GoneError, ImagoError, PayloadTooLargeError, RangeNotSatisfiableError,
  StorageUnavailableError,
} from '../domain/errors.js';
import type { Image } from '../domain/image.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { ByteRange } from '../storage/driver.js';
import type { StoreRegistry } from '../storage/store-registry.js';
import { convert, type ConvertOptions } from '../formats/convert/convert.js';
import { INPUT_FORMATS, type InputFormat, type OutputFormat } from '../formats/convert/disk-format.js';
import { InspectionStage } from '../formats/inspection.stage.js';
import { rangedObjectSource } from '../storage/ranged-object.source.js';
import { ByteLimit } from '../lib/byte-limit.js';
import type { CatalogHooks, DeprecationNotice } from './catalog.ports.js';
import type { ImageService } from './image.service.js';
import type { Clock, HashingStageFactory, ImageCatalog } from './ports.js';
import type { QuotaService } from './quota.service.js';

/**
 * While bytes arrive, the image's updated_at is refreshed this often, so any node can tell a
 * live upload from one whose node died (see requeueStaleUploads).
 */
export const UPLOAD_HEARTBEAT_MS = 60_000;

export interface UploadOptions {
  /** x-openstack-image-size: the size the client promises; a mismatch is a 400. */
  declaredSize?: number;
  /** Content-Length when the client sent one, to refuse oversized uploads before reading. */
  contentLength?: number;
}

/** A single HTTP byte range before the size is known: `a-b`, `a-` or the last N bytes. */
export type RangeRequest = { first: number; last?: number } | { suffixLength: number };

/** How uploads are inspected (Glance's image_format options, plus Imago's limits). */
export interface InspectionPolicy {
  maxVirtualSize: number;
  requireFormatMatch: boolean;
  allowEncrypted: boolean;
}

/** An Imago extension: the image converted to another disk format while it streams out. */
export interface DownloadConversion {
  format: OutputFormat;
  options: ConvertOptions;
}

export type Download = (
  | { kind: 'empty' }
  | { kind: 'data'; stream: Readable; size: number; checksum: string | null; range?: ByteRange }
  | { kind: 'converted'; stream: Readable; format: OutputFormat; length: number | undefined }
) & {
  /** Set when the image is deprecated: the edge warns the client. */
  deprecation?: DeprecationNotice;
};

/** Disk formats whose bytes are a plain disk, read as raw when converting. */
const RAW_CONTENT = new Set(['raw', 'iso', 'ami', 'ari', 'aki']);

export class ImageDataService {
  constructor(
    private readonly images: ImageService,
    private readonly catalog: ImageCatalog,
    private readonly policy: Policy,
    private readonly stores: StoreRegistry,
    private readonly hashers: HashingStageFactory,
    private readonly clock: Clock,
    private readonly imageSizeCap: number,
    private readonly inspection: InspectionPolicy,
    private readonly quotas: QuotaService,
    private readonly catalogRules: CatalogHooks,
  ) {}

  async upload(principal: Principal, id: string, source: Readable, options: UploadOptions = {}): Promise<Image> {
    const target = await this.images.load(principal, id);
    this.policy.enforce('upload_image', principal, target);
    const { image } = target;
    if (image.diskFormat === null || image.containerFormat === null) {
      throw new BadRequestError('Properties disk_format, container_format must be set prior to saving data.', { reason: 'upload.formats_unset' });
    }
    // The upload would make the image active: refused before any byte is read when that cannot be.
    await this.catalogRules.checkActivation(image);
    const expected = options.declaredSize ?? options.contentLength;
    if (expected !== undefined && expected > this.imageSizeCap) throw this.tooLarge();
    const saving = await this.catalog.update(image.id, { status: 'saving', updatedAt: this.clock.now() }, { status: ['queued'] });
    if (!saving) {
      throw new ConflictError(`Image status transition from ${image.status} to saving is not allowed`, { reason: 'upload.not_queued' });
    }
    // Counted once the image is saving, so racing starts see each other (see QuotaService).
    const budget = await this.quotas.startUpload(image.owner, expected).catch(async (err: unknown) => {
      await this.revertToQueued(image.id);
      throw err;
    });

    const store = this.stores.defaultStore;
    const key = `images/${image.id}`;
    const writer = await store.createWriter(key).catch(async (err: unknown) => {
      await this.revertToQueued(image.id);
      throw err;
    });
    const heartbeat = setInterval(() => {
      void this.catalog.update(image.id, { updatedAt: this.clock.now() }, { status: ['saving'] }).catch(() => undefined);
    }, UPLOAD_HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const hasher = this.hashers.create();
      // Untrusted bytes meet the inspector before anything else acts on them.
      const inspector = new InspectionStage({ ...this.inspection, declaredFormat: image.diskFormat });
      // One stage enforces both the cap and the project's remaining image_size_total.
      const quotaFirst = budget.remaining < this.imageSizeCap;
      const limit = new ByteLimit(Math.min(this.imageSizeCap, budget.remaining), () => (quotaFirst ? budget.exceeded() : this.tooLarge()));
      await pipeline(source, limit, inspector, hasher, writer.stream);
      clearInterval(heartbeat);
      const { md5, sha512, size } = await hasher.digests();
      if (options.declaredSize !== undefined && options.declaredSize !== size) {
        throw new BadRequestError(`Image size ${size} does not match x-openstack-image-size ${options.declaredSize}.`, { reason: 'upload.size_mismatch' });
      }
      await budget.confirm(size);
      await writer.commit();
      const active = await this.catalog.update(image.id, {
        status: 'active',
        size,
        virtualSize: inspector.verdict.virtualSize,
        checksum: md5,
        osHashAlgo: 'sha512',
        osHashValue: sha512,
        location: { store: store.name, key },
        updatedAt: this.clock.now(),
      }, { status: ['saving'] });
      if (!active) {
        // Deleted (or otherwise changed) while the bytes were arriving: keep nothing.
        await store.delete(key);
        throw new GoneError(`Image ${image.id} was deleted during the upload.`, { reason: 'upload.deleted' });
      }
      return active;
    } catch (err) {
      clearInterval(heartbeat);
      await writer.abort();
      if (!(err instanceof GoneError)) await this.revertToQueued(image.id);
      if (err instanceof StorageUnavailableError && err.reason === 'storage.full') {
        // Glance answers a full store with 413: the request is too large for what is left.
        throw new PayloadTooLargeError('Image storage media is full; the image is queued again and may be retried later.', { cause: err, reason: 'upload.storage_full' });
      }
      throw err instanceof ImagoError ? err : new BadRequestError('The upload did not complete; the image is queued again and may be retried.', { cause: err, reason: 'upload.interrupted' });
    }
  }

  async download(principal: Principal, id: string, range?: RangeRequest, conversion?: DownloadConversion): Promise<Download> {
    const target = await this.images.load(principal, id);
    this.policy.enforce('download_image', principal, target);
    const { image } = target;
    if (image.status === 'deactivated' && !this.policy.isAdmin(principal)) {
      throw new ForbiddenError('The requested image has been deactivated. Image data download is forbidden.', { reason: 'download.deactivated' });
    }
    const notice = this.catalogRules.checkUse(principal, image);
    const deprecation = notice ? { deprecation: notice } : {};
    if (!image.location || image.size === null || (image.status !== 'active' && image.status !== 'deactivated')) return { kind: 'empty', ...deprecation };
    const size = image.size;
    if (conversion && conversion.format !== image.diskFormat) return { ...await this.convertedDownload(image, conversion), ...deprecation };
    const resolved = range === undefined ? undefined : resolveRange(range, size);
    const stream = await this.stores.get(image.location.store).createReadStream(image.location.key, resolved);
    return { kind: 'data', stream, size, checksum: image.checksum, ...(resolved ? { range: resolved } : {}), ...deprecation };
  }

  /** Streams the stored image re-encoded; Range does not apply to a converted stream. */
  private async convertedDownload(image: Image, conversion: DownloadConversion): Promise<Download> {
    const declared = image.diskFormat ?? 'raw';
    const inputFormat = RAW_CONTENT.has(declared) ? 'raw' : declared;
    if (!(INPUT_FORMATS as readonly string[]).includes(inputFormat)) {
      throw new BadRequestError(`Images in disk format ${declared} cannot be converted.`, { reason: 'download.unconvertible' });
    }
    const location = image.location!;
    const source = rangedObjectSource(this.stores.get(location.store), location.key, image.size!);
    const result = await convert({ input: source, inputFormat: inputFormat as InputFormat, outputFormat: conversion.format, options: conversion.options });
    return { kind: 'converted', stream: result.stream, format: conversion.format, length: result.length };
  }

  private tooLarge(): PayloadTooLargeError {
    return new PayloadTooLargeError(`Image exceeds the storage quota: the maximum image size is ${this.imageSizeCap} bytes.`, { reason: 'upload.image_size_cap' });
  }

  private async revertToQueued(id: string): Promise<void> {
    await this.catalog.update(id, { status: 'queued', updatedAt: this.clock.now() }, { status: ['saving'] });
  }
}

function resolveRange(range: RangeRequest, size: number): ByteRange {
  const resolved = 'suffixLength' in range
    ? { start: Math.max(0, size - range.suffixLength), end: size - 1 }
    : { start: range.first, end: Math.min(range.last ?? size - 1, size - 1) };
  if (size === 0 || resolved.start >= size || resolved.start > resolved.end || ('suffixLength' in range && range.suffixLength === 0)) {
    throw new RangeNotSatisfiableError(`Requested range not satisfiable for an image of ${size} bytes.`, size, { reason: 'download.range' });
  }
  return resolved;
}
