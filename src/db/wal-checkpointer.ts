/**
 * SQLite's WAL checkpoints, with their fsyncs on libuv's thread pool instead of the event loop.
 *
 * Left to itself, SQLite checkpoints on the connection whose commit takes the WAL past a
 * thousand pages: it fsyncs the WAL, copies the pages into the database file and fsyncs that,
 * all inside the commit. better-sqlite3 is synchronous, so the event loop stood still for the
 * two fsyncs, 4–7 ms on this project's VMs, about once per 50 image creates: 60 % of the
 * time spent committing, and the p99 of every request that queued behind it.
 *
 * Here the writing connection's own checkpoints are pushed far out (a backstop, should this
 * fall behind), and a short while after the first write since the last cycle, a cycle does
 * SQLite's steps in SQLite's order:
 *   1. fdatasync of the WAL, on the thread pool, while writes go on: most of its cost;
 *   2. it holds the writing connection (Kysely's connection lock: other queries wait for it,
 *      the event loop does not) and opens a read transaction on it;
 *   3. fdatasync of the WAL again, for the frames written since 1: every frame to copy is
 *      durable;
 *   4. a PASSIVE checkpoint on a connection of its own with synchronous=OFF: SQLite copies the
 *      pages but skips its fsyncs: the only step on this thread;
 *   5. fdatasync of the database file, on the thread pool: the copies are durable;
 *   6. it ends the read transaction and lets the connection go.
 * Once the WAL is wholly copied, the next write starts it again from the beginning, over the
 * frames just copied. Holding the writer keeps this process from doing that before step 5,
 * and the open read transaction keeps any other process (a second node, the CLI) from it.
 *
 * Durability is SQLite's synchronous=NORMAL, or better: a commit survives a crash of the
 * process, and the WAL is now synced within a cycle of a write instead of at the next
 * checkpoint. When a cycle fails, SQLite's own checkpoints take over again and Node prints a
 * warning.
 */
import { open } from 'node:fs/promises';
import { type Kysely, type QueryExecutorProvider, type SqliteDatabase, sql } from 'kysely';

/** What the writing connection checkpoints at itself while cycles run, in pages (SQLite's default is 1000). */
export const BACKSTOP_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1000;
/** From the first write to the cycle: long enough to take many commits' frames at once. */
const DELAY_MS = 100;

/** The checkpointing connection: better-sqlite3's `pragma`, nothing else. */
export interface CheckpointConnection {
  pragma(source: string): unknown;
  close(): void;
}

export interface WalCheckpointerOptions {
  delayMs?: number;
  /** fdatasync of a file by path; tests watch the order of the steps through it. */
  syncFile?: (path: string) => Promise<void>;
}

export class WalCheckpointer {
  private readonly delayMs: number;
  private readonly syncFile: (path: string) => Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | undefined;
  private inCycle = false;
  private stopped = false;
  /** Runs `work` holding the writing connection, which no other query gets meanwhile. */
  private hold: ((work: (writer: QueryExecutorProvider) => Promise<void>) => Promise<void>) | undefined;

  /** `path` is the database file; `checkpoints` a connection of its own to it, set here to synchronous=OFF. */
  constructor(private readonly path: string, private readonly checkpoints: CheckpointConnection, options: WalCheckpointerOptions = {}) {
    this.delayMs = options.delayMs ?? DELAY_MS;
    this.syncFile = options.syncFile ?? syncFile;
    checkpoints.pragma('synchronous = OFF');
    checkpoints.pragma('wal_autocheckpoint = 0');
  }

  /** The writing connection as Kysely should see it: every write statement schedules a cycle. */
  watch(database: SqliteDatabase): SqliteDatabase {
    return {
      close: () => database.close(),
      prepare: (text) => {
        const statement = database.prepare(text);
        // While a cycle holds the connection, its statements are the cycle's own.
        if (!statement.reader && !this.inCycle) this.schedule();
        return statement;
      },
    };
  }

  /** Starts checkpointing `db`, the Kysely over the watched connection. */
  async start<DB>(db: Kysely<DB>): Promise<void> {
    this.hold = (work) => db.connection().execute(work);
    await sql.raw(`pragma wal_autocheckpoint = ${BACKSTOP_PAGES}`).execute(db);
  }

  /** Stops the cycles, waiting for one under way; SQLite checkpoints on close by itself. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.cycle;
    this.checkpoints.close();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped || this.hold === undefined) return;
    this.timer = setTimeout(() => {
      this.cycle = this.run().finally(() => {
        this.cycle = undefined;
      });
    }, this.delayMs);
    // A pending cycle does not keep the process alive: closing the database checkpoints anyway.
    this.timer.unref();
  }

  private async run(): Promise<void> {
    try {
      await this.syncFile(`${this.path}-wal`);
      await this.hold!(async (writer) => {
        this.timer = undefined;
        this.inCycle = true;
        try {
          await sql`begin`.execute(writer);
          try {
            await sql`select count(*) from sqlite_master`.execute(writer);
            await this.syncFile(`${this.path}-wal`);
            this.checkpoints.pragma('wal_checkpoint(PASSIVE)');
            await this.syncFile(this.path);
          } finally {
            await sql`commit`.execute(writer);
          }
        } finally {
          this.inCycle = false;
        }
      });
    } catch (err) {
      this.stopped = true;
      process.emitWarning(new Error('WAL checkpoints are back on the writing connection after a background checkpoint failed', { cause: err }));
      await this.hold!((writer) => sql.raw(`pragma wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`).execute(writer).then(() => undefined)).catch(() => undefined);
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
}
