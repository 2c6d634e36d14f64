/**
 * Tests that need an external tool (qemu-img, openstack, PostgreSQL ...) call this first.
 * Outside CI a missing tool skips the test with the reason; under CI=true it fails, because
 * .ci/run is responsible for installing everything the suite needs.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Returns true when the test may go on; false when it has been skipped. */
export function requireTool(t: TestContext, command: string): boolean {
  if (hasCommand(command)) return true;
  if (process.env.CI === 'true') throw new Error(`${command} is required under CI=true but is not installed`);
  t.skip(`${command} is not installed`);
  return false;
}

/** For tools that are not commands (a database, a server): the caller probes, this decides. */
export function requireAvailable(t: TestContext, available: boolean, what: string): boolean {
  if (available) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true but is not available`);
  t.skip(`${what} is not available`);
  return false;
}
