/**
 * Runs Debian's OpenStack CLIs (python3-openstackclient, python3-glanceclient) the way a user
 * would, but isolated: no OS_* variables from outside, and a HOME of their own, where they
 * cache schemas (~/.glanceclient) and which is removed by close().
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OpenStackCli {
  /** The private HOME, also a scratch directory for files the test writes. */
  home: string;
  /** `openstack` with any authentication arguments, image API v2. */
  openstack(auth: readonly string[], ...args: string[]): Promise<string>;
  /** `openstack` authenticated with a token against an image endpoint, bypassing identity. */
  openstackWithToken(url: string, token: string, ...args: string[]): Promise<string>;
  /** `glance` authenticated with a token against an image endpoint. */
  glance(url: string, token: string, ...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function openstackCli(): Promise<OpenStackCli> {
  const home = await mkdtemp(join(tmpdir(), 'imago-osc-'));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_'))), HOME: home };
  const exec = async (command: string, args: readonly string[]) => (await run(command, args, { env, timeout: 120_000 })).stdout;
  return {
    home,
    openstack: (auth, ...args) => exec('openstack', [...auth, '--os-image-api-version', '2', ...args]),
    openstackWithToken: (url, token, ...args) => exec('openstack', ['--os-auth-type', 'admin_token', '--os-endpoint', `${url}/v2`, '--os-token', token, '--os-image-api-version', '2', ...args]),
    glance: (url, token, ...args) => exec('glance', ['--os-image-url', url, '--os-auth-token', token, ...args]),
    close: () => rm(home, { recursive: true, force: true }),
  };
}
