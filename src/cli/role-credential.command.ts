/**
 * `imago role list|add|remove|assignment list` (the admin's role assignments) and
 * `imago credential create|list|delete` (a user's own application credentials).
 */
import { expectPositionals, flagOption, listOption, stringOption, UsageError, type OptionValues } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command, CommandContext } from './command.js';
import { groupHelp, printRecord, printRows } from './identity-print.js';

function required(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

const roleListCommand: Command = {
  name: 'list',
  usage: 'role list',
  summary: 'List the roles (reader, member, admin; each implies the ones before it).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 0, 0, '');
    printRows(context, await context.identity().listRoles(), [['ID', (r) => r.id], ['Name', (r) => r.name]]);
  },
};

async function changeAssignment(context: CommandContext, values: OptionValues, positionals: string[], add: boolean): Promise<void> {
  expectPositionals(positionals, 1, 1, 'the role (reader, member or admin)');
  const identity = context.identity();
  const user = await identity.findUser(required(values, 'user'));
  const project = await identity.findProject(required(values, 'project'));
  if (add) await identity.assignRole(project.id, user.id, positionals[0]!);
  else await identity.unassignRole(project.id, user.id, positionals[0]!);
}

const roleAddCommand: Command = {
  name: 'add',
  usage: 'role add --user USER --project PROJECT ROLE',
  summary: 'Give a user a role on a project (admin).',
  options: { user: { type: 'string' }, project: { type: 'string' } },
  async run(context, { positionals, values }) {
    await changeAssignment(context, values, positionals, true);
  },
};

const roleRemoveCommand: Command = {
  name: 'remove',
  usage: 'role remove --user USER --project PROJECT ROLE',
  summary: 'Take a role away (admin); the user\'s tokens on that project stop working.',
  options: { user: { type: 'string' }, project: { type: 'string' } },
  async run(context, { positionals, values }) {
    await changeAssignment(context, values, positionals, false);
  },
};

const roleAssignmentCommand: Command = {
  name: 'assignment',
  usage: 'role assignment list [--user USER] [--project PROJECT] [--effective]',
  summary: 'List role assignments (admin); --effective adds the roles each one implies.',
  options: { user: { type: 'string' }, project: { type: 'string' }, effective: { type: 'boolean' } },
  async run(context, { positionals, values }) {
    if (positionals[0] !== 'list') throw new UsageError(positionals.length === 0 ? 'missing assignment command (list)' : `unknown assignment command '${positionals[0]}'`);
    expectPositionals(positionals, 1, 1, '');
    const identity = context.identity();
    const user = stringOption(values, 'user');
    const project = stringOption(values, 'project');
    const assignments = await identity.listRoleAssignments({
      ...(user !== undefined ? { userId: (await identity.findUser(user)).id } : {}),
      ...(project !== undefined ? { projectId: (await identity.findProject(project)).id } : {}),
      effective: flagOption(values, 'effective'),
    });
    printRows(context, assignments, [
      ['Role', (a) => a.role.name ?? a.role.id],
      ['User', (a) => a.user.name ?? a.user.id],
      ['Project', (a) => a.scope.project.name ?? a.scope.project.id],
    ]);
  },
};

/** Credentials belong to the caller: who that is comes from the token itself. */
async function ownUserId(context: CommandContext): Promise<string> {
  try {
    return (await context.identity().whoAmI()).user.id;
  } catch (err) {
    throw new Error(`cannot tell which user this token belongs to (a static token is no user): ${(err as Error).message}`);
  }
}

const credentialCreateCommand: Command = {
  name: 'create',
  usage: 'credential create NAME [--role ROLE]... [--expires TIME] [--description D] [--secret S]',
  summary: 'Create an application credential for your token\'s project; its secret is printed once.',
  help: `options:
  --role ROLE        a role it carries (repeatable; default: all the roles of your token)
  --expires TIME     when it stops working (ISO 8601, e.g. 2031-01-01T00:00:00Z)
  --description D    what it is for
  --secret S         choose the secret instead of letting the server generate one

Log in with it: OS_AUTH_URL=… OS_APPLICATION_CREDENTIAL_ID=ID OS_APPLICATION_CREDENTIAL_SECRET=SECRET`,
  options: { role: { type: 'string', multiple: true }, expires: { type: 'string' }, description: { type: 'string' }, secret: { type: 'string' } },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'the credential name');
    const roles = listOption(values, 'role');
    const expires = stringOption(values, 'expires');
    const description = stringOption(values, 'description');
    const secret = stringOption(values, 'secret');
    const credential = await context.identity().createCredential(await ownUserId(context), {
      name: positionals[0]!,
      ...(roles.length > 0 ? { roles } : {}),
      ...(expires !== undefined ? { expires_at: expires } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(secret !== undefined ? { secret } : {}),
    });
    printRecord(context, credential, ['id', 'name', 'secret', 'project_id', 'roles', 'expires_at', 'description']);
    if (!context.json) writeLine(context.io.stderr, 'imago: the secret is shown only now; keep it safe');
  },
};

const credentialListCommand: Command = {
  name: 'list',
  usage: 'credential list',
  summary: 'List your application credentials.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 0, 0, '');
    const credentials = await context.identity().listCredentials(await ownUserId(context));
    printRows(context, credentials, [
      ['ID', (c) => c.id], ['Name', (c) => c.name], ['Project', (c) => c.project_id],
      ['Roles', (c) => c.roles.map((r) => r.name).join(',')], ['Expires', (c) => c.expires_at ?? 'never'],
    ]);
  },
};

const credentialDeleteCommand: Command = {
  name: 'delete',
  usage: 'credential delete CREDENTIAL...',
  summary: 'Delete your application credentials by id or name; their tokens stop working.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, Infinity, 'the credential id or name');
    const identity = context.identity();
    const userId = await ownUserId(context);
    const mine = await identity.listCredentials(userId);
    let failed = 0;
    for (const ref of positionals) {
      const found = mine.filter((c) => c.id === ref || c.name === ref);
      try {
        if (found.length !== 1) throw new Error(found.length === 0 ? 'no such credential' : 'several credentials have that name: use the id');
        await identity.deleteCredential(userId, found[0]!.id);
      } catch (err) {
        failed += 1;
        writeLine(context.io.stderr, `imago: cannot delete credential ${ref}: ${(err as Error).message}`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};

export const ROLE_COMMANDS: readonly Command[] = [roleListCommand, roleAddCommand, roleRemoveCommand, roleAssignmentCommand];
export const CREDENTIAL_COMMANDS: readonly Command[] = [credentialCreateCommand, credentialListCommand, credentialDeleteCommand];

export const roleGroupHelp = (): string => groupHelp('role', 'Roles and role assignments: what a user may do in a project.', ROLE_COMMANDS);
export const credentialGroupHelp = (): string => groupHelp('credential', 'Application credentials: a secret for scripts, scoped to one project, instead of a password.', CREDENTIAL_COMMANDS);
