/**
 * Writes from concurrent requests committed together: on SQLite, the writes that reach the
 * catalog in one turn of the event loop share one transaction, each in a savepoint of its own.
 *
 * On SQLite a commit costs more than the inserts it makes durable. Every b-tree page the
 * transaction changed is appended to the WAL (two write calls a page), to be copied into the
 * database file and synced at the next checkpoint. A created image changes about eighteen
 * b-trees (the images table and its indexes, tags, properties), and most of those pages are
 * the same for every image created in the same moment: the ends of the indexes ordered by
 * created_at. Written in one transaction, they go to the WAL once.
 *
 * A write that fails (a duplicate id) is rolled back to its savepoint and its caller gets its
 * error; the others still commit. When the commit itself fails, every write of the group fails
 * with that error and none of them is visible. Callers wait for the commit either way, so a
 * write is durable when its promise resolves, as with a transaction of its own.
 *
 * PostgreSQL runs transactions on several connections and already flushes concurrent commits
 * together, so there each write is simply a transaction of its own.
 */
import { type Kysely, sql, type Transaction } from 'kysely';

export type Write<DB> = (trx: Transaction<DB>) => Promise<void>;

interface Pending<DB> {
  write: Write<DB>;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<DB> {
  private queue: Pending<DB>[] = [];

  /** `grouped` false: each write is its own transaction (PostgreSQL). */
  constructor(private readonly db: Kysely<DB>, private readonly grouped: boolean) {}

  /** Runs `write` in a transaction, shared with the other writes of this turn when grouped. */
  run(write: Write<DB>): Promise<void> {
    if (!this.grouped) return this.db.transaction().execute(write);
    return new Promise((resolve, reject) => {
      // setImmediate runs after the poll phase, so every request read in this turn has
      // reached its write by then (the SQLite driver answers synchronously).
      if (this.queue.push({ write, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    if (group.length === 1) {
      const [only] = group as [Pending<DB>];
      return this.db.transaction().execute(only.write).then(only.resolve, only.reject);
    }
    const failed = new Map<Pending<DB>, unknown>();
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const pending of group) {
          await sql`savepoint grouped_write`.execute(trx);
          try {
            await pending.write(trx);
          } catch (err) {
            failed.set(pending, err);
            await sql`rollback to grouped_write`.execute(trx);
          }
          await sql`release grouped_write`.execute(trx);
        }
      });
    } catch (err) {
      for (const pending of group) if (!failed.has(pending)) failed.set(pending, err);
    }
    for (const pending of group) {
      if (failed.has(pending)) pending.reject(failed.get(pending));
      else pending.resolve();
    }
  }
}
