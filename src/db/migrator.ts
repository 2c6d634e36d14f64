/**
 * Runs the catalog migrations. They are listed in code (not discovered on disk) so the same
 * list works from TypeScript sources and from the compiled dist/.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, type Migration, Migrator, SqliteAdapter } from 'kysely';
import * as images0001 from './migrations/0001-images.js';
import * as identity0002 from './migrations/0002-identity.js';
import * as quotas0003 from './migrations/0003-quotas.js';
import * as metadefs0004 from './migrations/0004-metadefs.js';
import * as catalog0005 from './migrations/0005-catalog.js';
import * as imageDisks0006 from './migrations/0006-image-disks.js';
import type { Database } from './schema.js';

/** Applied in the order of their names. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-images': images0001,
  '0002-identity': identity0002,
  '0003-quotas': quotas0003,
  '0004-metadefs': metadefs0004,
  '0005-catalog': catalog0005,
  '0006-image-disks': imageDisks0006,
};

/** Every migration's name, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

const SQLITE_ATTEMPTS = 5;

/**
 * Brings the schema up to date; safe when several processes start at once. On PostgreSQL
 * Kysely's migrator holds an advisory lock, so exactly one process migrates. On SQLite it
 * takes no lock: when two processes race, the loser's transaction fails (its snapshot predates
 * the winner's tables) and rolls back, and trying again finds the schema already up to date.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const attempts = db.getExecutor().adapter instanceof SqliteAdapter ? SQLITE_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return;
    if (attempt >= attempts) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'setup';
      throw new Error(`Catalog migration ${failed} failed`, { cause: error });
    }
    await sleep(20 * attempt);
  }
}
