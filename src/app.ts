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
import { Policy } from './domain/policy.js';
import { buildHttpServer } from './http/server.js';
import { ImageHasherPool } from './lib/image-hasher.js';
import { ImageDataService } from './services/image-data.service.js';
import { ImageService } from './services/image.service.js';
import { StoreJanitor } from './services/store-janitor.service.js';
import type { Clock } from './services/ports.js';
import { TokenAuthenticator } from './services/token-authenticator.js';
import { FsDriver } from './storage/fs.driver.js';
import { StoreRegistry } from './storage/store-registry.js';

export interface App {
  http: FastifyInstance;
  adminToken: AdminToken;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

export async function createApp(config: Config): Promise<App> {
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir);
  const catalog = await openDatabase(config.databaseUrl);
  const hashers = new ImageHasherPool();
  try {
    await migrateToLatest(catalog.db);
    const repository = new ImageRepository(catalog.db);
    const stores = new StoreRegistry(new FsDriver({ name: 'local', root: join(config.dataDir, 'images') }));
    const policy = new Policy();
    const images = new ImageService(repository, policy, systemClock, {
      tagQuota: config.imageTagQuota,
      propertyQuota: config.imagePropertyQuota,
      listLimitDefault: config.listLimitDefault,
      listLimitMax: config.listLimitMax,
    }, stores);
    const imageData = new ImageDataService(images, repository, policy, stores, hashers, systemClock, config.imageSizeCap, {
      maxVirtualSize: config.maxVirtualSize,
      requireFormatMatch: config.requireImageFormatMatch,
      allowEncrypted: config.allowEncryptedImages,
    });
    const janitor = new StoreJanitor(repository, stores, systemClock);
    const cleaned = await janitor.run();
    const authenticator = new TokenAuthenticator(adminToken.token, config.tokens);
    const http = buildHttpServer({ images, imageData, authenticator, publicUrl: config.publicUrl, logLevel: config.logLevel });
    if (cleaned.requeued + cleaned.stagingRemoved + cleaned.orphansRemoved > 0) http.log.warn(cleaned, 'cleaned up after an earlier crash');
    return {
      http,
      adminToken,
      async close() {
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
