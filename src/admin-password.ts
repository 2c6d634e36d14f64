/**
 * The generated password of the bootstrap admin user is kept (mode 0600) in the data
 * directory, next to the admin token, so the operator can read it once and change it.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function saveAdminPassword(dataDir: string, password: string): Promise<string> {
  const path = join(dataDir, 'admin-password');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${password}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // mode only applies to a new file; an old one may be wider
  return path;
}
