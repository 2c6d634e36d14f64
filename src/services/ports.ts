/**
 * What services need from their side-effecting collaborators. The concrete classes live in
 * db/ and storage/; app.ts wires them in, and unit tests can pass small fakes.
 */
import type { Image, ImageStatus } from '../domain/image.js';
import type { ImageListQuery } from '../domain/image-query.js';
import type { Principal } from '../domain/principal.js';

export interface Clock {
  now(): Date;
}

export type ImageChanges = Partial<Omit<Image, 'id' | 'createdAt' | 'tags' | 'properties'>> & {
  updatedAt: Date;
  tags?: string[];
  properties?: { set?: Record<string, string>; remove?: string[] };
};

export interface ImageCatalog {
  create(image: Image): Promise<void>;
  get(id: string, options?: { includeDeleted?: boolean }): Promise<Image | undefined>;
  list(query: ImageListQuery): Promise<Image[]>;
  update(id: string, changes: ImageChanges, condition?: { status?: ImageStatus[] }): Promise<Image | undefined>;
  addTag(id: string, tag: string, now: Date): Promise<boolean>;
  removeTag(id: string, tag: string, now: Date): Promise<boolean>;
  markDeleted(id: string, now: Date): Promise<Image | undefined>;
  /** Uploads whose heartbeat stopped before the cutoff (their node died) go back to queued. */
  requeueStaleUploads(cutoff: Date, now: Date): Promise<number>;
}

/** A pass-through stage that hashes what flows through it (md5 and sha512, in parallel). */
export interface HashingStage extends NodeJS.ReadWriteStream {
  digests(): Promise<{ md5: string; sha512: string; size: number }>;
}

export interface HashingStageFactory {
  create(): HashingStage;
}

/**
 * Turns the X-Auth-Token of a request into the caller. Implementations: static tokens from
 * configuration, tokens issued by Imago's own identity service, and tokens validated by an
 * external Keystone. Throws UnauthorizedError for a missing, unknown, expired or revoked token.
 */
export interface Authenticator {
  authenticate(token: string | undefined): Promise<Principal>;
}
