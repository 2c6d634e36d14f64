/**
 * The embedded default must not ship a fixed admin secret: when none is configured, one is
 * generated on first start, kept (mode 0600) in the data directory and printed once.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AdminToken {
  token: string;
  /** True when this start created it (so the operator must be told). */
  generated: boolean;
  path: string;
}

export async function resolveAdminToken(configured: string | undefined, dataDir: string): Promise<AdminToken> {
  const path = join(dataDir, 'admin-token');
  if (configured !== undefined) return { token: configured, generated: false, path };
  try {
    return { token: (await readFile(path, 'utf8')).trim(), generated: false, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process started at the same moment and won: use its token.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { token: (await readFile(path, 'utf8')).trim(), generated: false, path };
    throw err;
  }
  return { token, generated: true, path };
}
