/**
 * Runs the catalog migrations. They are listed in code (not discovered on disk) so the same
 * list works from TypeScript sources and from the compiled dist/. Kysely's migrator takes a
 * lock, so several nodes starting at once migrate exactly once.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import * as images0001 from './migrations/0001-images.js';
import type { Database } from './schema.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-images': images0001,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`catalog migration ${failed} failed`, { cause: error });
  }
}
