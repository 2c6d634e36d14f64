/** Every file a test server's local store holds, committed or staged: failures must leave none behind. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from './server.js';

export async function storedFiles(server: TestServer): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else out.push(join(dir, e.name));
    }
  };
  await walk(join(server.dataDir, 'images'));
  return out;
}
