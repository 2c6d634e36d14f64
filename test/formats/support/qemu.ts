/**
 * qemu-img as a test oracle: it builds base images in a test's own temporary directory (never
 * on anything else), which the tests then read and patch in memory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class Workdir {
  private constructor(readonly dir: string) {}

  static async create(prefix: string): Promise<Workdir> {
    return new Workdir(await mkdtemp(join(tmpdir(), prefix)));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Runs qemu-img with the working directory as cwd; returns stdout. */
  async qemuImg(...args: string[]): Promise<string> {
    const { stdout } = await run('qemu-img', args, { cwd: this.dir, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 24 });
    return stdout;
  }

  async read(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }

  async write(name: string, data: Buffer): Promise<string> {
    await writeFile(this.path(name), data);
    return this.path(name);
  }

  /**
   * An 8 MiB raw disk with incompressible data in a few places, so that converted images have
   * data clusters (compressed ones too) up to their end.
   */
  async payload(name = 'payload.raw', size = 8 << 20): Promise<string> {
    const buf = Buffer.alloc(size);
    let x = 0x9e3779b9;
    for (const at of [0, 1 << 20, 3 << 20, size - 65536]) {
      for (let i = 0; i < 65536; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        buf[at + i] = x >>> 24;
      }
    }
    return this.write(name, buf);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
