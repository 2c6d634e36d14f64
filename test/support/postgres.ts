/**
 * Throwaway PostgreSQL databases on the server this machine runs (127.0.0.1:5432, user
 * postgres, trust auth), one per test file, dropped afterwards. IMAGO_TEST_PG overrides the
 * admin URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.IMAGO_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPgDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try { return await fn(client); } finally { await client.end(); }
}

export async function postgresAvailable(): Promise<boolean> {
  try {
    await withAdmin((c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}

export async function createTestPgDatabase(): Promise<TestPgDatabase> {
  const name = `imago_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(async (c) => { await c.query(`drop database if exists ${name} with (force)`); }),
  };
}
