/**
 * The composition root: builds every object Imago runs with, explicitly and in order.
 * No module-level state anywhere else; tests build their own App from their own Config.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { resolveAdminToken, type AdminToken } from './admin-token.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { ImageRepository } from './db/repositories/image.repository.js';
import { MemberRepository } from './db/repositories/member.repository.js';
import { QuotaRepository } from './db/repositories/quota.repository.js';
import { buildHttpServer } from './http/server.js';
import { ImageHasherPool } from './lib/image-hasher.js';
import { YoungGenerationReclaimer } from './lib/young-gc.js';
import { ImageDataService } from './services/image-data.service.js';
import { ImageService } from './services/image.service.js';
import { MemberService } from './services/member.service.js';
import { QuotaService } from './services/quota.service.js';
import { StoreJanitor } from './services/store-janitor.service.js';
import type { Clock } from './services/ports.js';
import { TokenAuthenticator } from './services/token-authenticator.js';
import { AuthenticatorChain } from './services/authenticator-chain.js';
import { KeystoneAuthenticator } from './services/keystone-authenticator.js';
import { KeystoneClient } from './keystone/keystone.client.js';
import { buildStandaloneIdentity } from './standalone-identity.js';
import { FsDriver } from './storage/fs.driver.js';
import { StoreRegistry } from './storage/store-registry.js';
import { loadPolicy } from './policy-file.js';
import { buildMetadefCatalog } from './metadef-catalog.js';
import { CatalogRepository } from './db/repositories/catalog.repository.js';
import { CatalogRules } from './services/catalog-rules.js';
import { CatalogScheduler } from './services/catalog-scheduler.js';
import { CatalogService } from './services/catalog.service.js';

export interface App {
  http: FastifyInstance;
  adminToken: AdminToken;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** A Keystone that has not answered within this long counts as unreachable (503). */
const KEYSTONE_TIMEOUT_MS = 10_000;
/** Validated Keystone tokens kept at once: a few MB at most, whatever the traffic. */
const KEYSTONE_CACHE_CAPACITY = 10_000;
/** How often scheduled deprecations and family retention are applied (reads apply them at once anyway). */
const CATALOG_SCHEDULER_PERIOD_MS = 30_000;

export async function createApp(config: Config): Promise<App> {
  // First, so a broken policy file stops the start before anything is opened.
  const policy = await loadPolicy(config.policyFile);
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir);
  const catalog = await openDatabase(config.databaseUrl);
  // Image data in both directions counts towards the same young-generation collections.
  const reclaimer = YoungGenerationReclaimer.forProcess();
  const hashers = new ImageHasherPool({ reclaimer });
  try {
    await migrateToLatest(catalog.db);
    const repository = new ImageRepository(catalog.db);
    const stores = new StoreRegistry(new FsDriver({ name: 'local', root: join(config.dataDir, 'images'), reclaimer }));
    const quotas = new QuotaService(new QuotaRepository(catalog.db), policy, systemClock, {
      image_count_total: config.quotaImageCountTotal,
      image_size_total: config.quotaImageSizeTotal,
      image_stage_total: config.quotaImageStageTotal,
      image_count_uploading: config.quotaImageCountUploading,
    });
    const memberRepository = new MemberRepository(catalog.db);
    const metadefs = buildMetadefCatalog(catalog.db, policy, systemClock, { listLimitDefault: config.listLimitDefault, listLimitMax: config.listLimitMax });
    await metadefs.seed();
    const catalogRepository = new CatalogRepository(catalog.db);
    const catalogRules = new CatalogRules(repository, catalogRepository, policy, systemClock, memberRepository, stores);
    const images = new ImageService(repository, policy, systemClock, {
      tagQuota: config.imageTagQuota,
      propertyQuota: config.imagePropertyQuota,
      listLimitDefault: config.listLimitDefault,
      listLimitMax: config.listLimitMax,
    }, stores, quotas, memberRepository, catalogRules, metadefs.propertyValidator);
    const catalogService = new CatalogService(images, repository, catalogRepository, catalogRules, policy, systemClock);
    const imageData = new ImageDataService(images, repository, policy, stores, hashers, systemClock, config.imageSizeCap, {
      maxVirtualSize: config.maxVirtualSize,
      requireFormatMatch: config.requireImageFormatMatch,
      allowEncrypted: config.allowEncryptedImages,
    }, quotas, catalogRules);
    const members = new MemberService(images, memberRepository, policy, systemClock, { memberQuota: config.imageMemberQuota });
    const janitor = new StoreJanitor(repository, stores, systemClock);
    const cleaned = await janitor.run();
    const staticTokens = new TokenAuthenticator(adminToken.token, config.tokens);
    // Standalone mode: Imago's own users and tokens (/identity/v3) beside the static tokens.
    const standalone = config.keystone ? undefined : buildStandaloneIdentity(catalog.db, policy, systemClock, { tokenTtlSeconds: config.tokenTtlSeconds });
    const bootstrapped = await standalone?.start({ bootstrapPassword: config.bootstrapPassword, dataDir: config.dataDir });
    // Keystone mode: the operator's static tokens first (no round trip), then Keystone's.
    const authenticator = config.keystone
      ? new AuthenticatorChain([staticTokens, new KeystoneAuthenticator(
        new KeystoneClient(config.keystone, { timeoutMs: KEYSTONE_TIMEOUT_MS }),
        systemClock,
        { cacheSeconds: config.keystone.cacheSeconds, cacheCapacity: KEYSTONE_CACHE_CAPACITY },
      )])
      : new AuthenticatorChain([staticTokens, standalone!.authenticator]);
    const http = buildHttpServer({ images, imageData, members, quotas, authenticator, publicUrl: config.publicUrl, logLevel: config.logLevel, identityUri: config.keystone?.url, identity: standalone, metadefs, catalog: catalogService });
    const scheduler = new CatalogScheduler(catalogService, CATALOG_SCHEDULER_PERIOD_MS, http.log);
    scheduler.start();
    if (bootstrapped?.passwordPath) http.log.warn(`created the identity user "admin" (project "admin") with a generated password saved to ${bootstrapped.passwordPath}; log in with it and change it`);
    if (cleaned.requeued + cleaned.stagingRemoved + cleaned.orphansRemoved > 0) http.log.warn(cleaned, 'cleaned up after an earlier crash');
    return {
      http,
      adminToken,
      async close() {
        await scheduler.stop();
        await http.close();
        await hashers.close();
        await catalog.close();
      },
    };
  } catch (err) {
    await hashers.close();
    await catalog.close();
    throw err;
  }
}
