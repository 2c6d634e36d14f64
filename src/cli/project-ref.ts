/**
 * Turns a project named on the command line into the id the image API keys memberships and
 * quotas by. With an identity service (Imago's own, or Keystone's) the project is looked up by
 * id, then by name, as the openstack CLI does; when there is none, or the caller may not look
 * projects up, or no project has that id or name (static-token deployments name projects
 * freely), the argument is taken as the id itself.
 */
import { ApiError } from '../client/api-error.js';
import { UsageError } from './args.js';
import type { CommandContext } from './command.js';

export async function resolveProject(context: CommandContext, ref: string): Promise<string> {
  try {
    return (await context.identity().findProject(ref)).id;
  } catch (err) {
    if (err instanceof UsageError) return ref;
    if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) return ref;
    throw err;
  }
}
