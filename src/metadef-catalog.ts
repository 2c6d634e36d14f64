/**
 * Builds the metadata definitions objects (repository, access rules, services, the image
 * property validator and the loader of the shipped namespaces) for app.ts. Kept apart from
 * app.ts so the composition root stays one screen; everything is still built explicitly, here.
 */
import type { Kysely } from 'kysely';
import { MetadefRepository } from './db/repositories/metadef.repository.js';
import type { Database } from './db/schema.js';
import type { Policy } from './domain/policy.js';
import { STANDARD_NAMESPACES, STANDARD_OWNER } from './metadefs/standard-namespaces.js';
import { ImagePropertyValidator } from './services/image-property-validator.js';
import { MetadefAccess } from './services/metadef-access.js';
import { MetadefContentService } from './services/metadef-content.service.js';
import { MetadefSeeder } from './services/metadef-seed.service.js';
import { MetadefService, type MetadefLimits } from './services/metadef.service.js';
import type { Clock } from './services/ports.js';

export interface MetadefCatalogParts {
  namespaces: MetadefService;
  contents: MetadefContentService;
  /** Checks image property values; ImageService calls it, and so may other image rules. */
  propertyValidator: ImagePropertyValidator;
  /** Loads the shipped namespaces not loaded before; returns their names. */
  seed(): Promise<string[]>;
}

export function buildMetadefCatalog(db: Kysely<Database>, policy: Policy, clock: Clock, limits: MetadefLimits): MetadefCatalogParts {
  const repository = new MetadefRepository(db);
  const access = new MetadefAccess(repository, policy);
  const seeder = new MetadefSeeder(repository, clock, STANDARD_NAMESPACES, STANDARD_OWNER);
  return {
    namespaces: new MetadefService(repository, access, policy, clock, limits),
    contents: new MetadefContentService(repository, access, clock),
    propertyValidator: new ImagePropertyValidator(repository),
    seed: () => seeder.run(),
  };
}
