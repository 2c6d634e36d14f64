/**
 * `imago user create|list|delete` and `imago project create|list|delete`: the admin's
 * management of Imago's own users and projects (standalone identity, /identity/v3).
 */
import { readFile } from 'node:fs/promises';
import { expectPositionals, flagOption, stringOption, UsageError } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command, CommandContext } from './command.js';
import { groupHelp, printRecord, printRows } from './identity-print.js';

/** Deletes each named record, reporting failures one by one (exit 1 if any failed). */
async function deleteEach(context: CommandContext, refs: string[], kind: string, remove: (ref: string) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const ref of refs) {
    try {
      await remove(ref);
    } catch (err) {
      failed += 1;
      writeLine(context.io.stderr, `imago: cannot delete ${kind} ${ref}: ${(err as Error).message}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

const userCreateCommand: Command = {
  name: 'create',
  usage: 'user create NAME [--password P | --password-file FILE] [--project P] [--disable]',
  summary: 'Create a user (admin). Give them a role on a project with `imago role add`.',
  help: `options:
  --password P          the user's password (visible to other local users in the process list)
  --password-file FILE  read the password from the first line of FILE instead
  --project P           their default project (id or name): tokens without a scope go there
  --disable             create the user disabled`,
  options: { password: { type: 'string' }, 'password-file': { type: 'string' }, project: { type: 'string' }, disable: { type: 'boolean' } },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'the user name');
    let password = stringOption(values, 'password');
    const file = stringOption(values, 'password-file');
    if (password !== undefined && file !== undefined) throw new UsageError('give --password or --password-file, not both');
    if (file !== undefined) password = (await readFile(file, 'utf8')).split('\n')[0]!;
    const identity = context.identity();
    const project = stringOption(values, 'project');
    const user = await identity.createUser({
      name: positionals[0]!,
      ...(password !== undefined ? { password } : {}),
      ...(project !== undefined ? { default_project_id: (await identity.findProject(project)).id } : {}),
      ...(flagOption(values, 'disable') ? { enabled: false } : {}),
    });
    printRecord(context, user, ['id', 'name', 'enabled', 'default_project_id', 'domain_id']);
  },
};

const userListCommand: Command = {
  name: 'list',
  usage: 'user list [--name N]',
  summary: 'List users (admin).',
  options: { name: { type: 'string' } },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 0, 0, '');
    const users = await context.identity().listUsers(stringOption(values, 'name'));
    printRows(context, users, [['ID', (u) => u.id], ['Name', (u) => u.name], ['Enabled', (u) => String(u.enabled)], ['Default project', (u) => u.default_project_id ?? '']]);
  },
};

const userDeleteCommand: Command = {
  name: 'delete',
  usage: 'user delete USER...',
  summary: 'Delete users by id or name, with their role assignments, credentials and tokens (admin).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, Infinity, 'the user id or name');
    const identity = context.identity();
    return deleteEach(context, positionals, 'user', async (ref) => identity.deleteUser((await identity.findUser(ref)).id));
  },
};

const projectCreateCommand: Command = {
  name: 'create',
  usage: 'project create NAME [--description D] [--disable]',
  summary: 'Create a project (admin).',
  options: { description: { type: 'string' }, disable: { type: 'boolean' } },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'the project name');
    const description = stringOption(values, 'description');
    const project = await context.identity().createProject({
      name: positionals[0]!, ...(description !== undefined ? { description } : {}), ...(flagOption(values, 'disable') ? { enabled: false } : {}),
    });
    printRecord(context, project, ['id', 'name', 'description', 'enabled', 'domain_id']);
  },
};

const projectListCommand: Command = {
  name: 'list',
  usage: 'project list [--name N]',
  summary: 'List projects (admin).',
  options: { name: { type: 'string' } },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 0, 0, '');
    const projects = await context.identity().listProjects(stringOption(values, 'name'));
    printRows(context, projects, [['ID', (p) => p.id], ['Name', (p) => p.name], ['Enabled', (p) => String(p.enabled)], ['Description', (p) => p.description]]);
  },
};

const projectDeleteCommand: Command = {
  name: 'delete',
  usage: 'project delete PROJECT...',
  summary: 'Delete projects by id or name, with their role assignments, credentials and tokens (admin).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, Infinity, 'the project id or name');
    const identity = context.identity();
    return deleteEach(context, positionals, 'project', async (ref) => identity.deleteProject((await identity.findProject(ref)).id));
  },
};

export const USER_COMMANDS: readonly Command[] = [userCreateCommand, userListCommand, userDeleteCommand];
export const PROJECT_COMMANDS: readonly Command[] = [projectCreateCommand, projectListCommand, projectDeleteCommand];

export const userGroupHelp = (): string => groupHelp('user', 'Users of Imago\'s own identity service (standalone mode).', USER_COMMANDS);
export const projectGroupHelp = (): string => groupHelp('project', 'Projects of Imago\'s own identity service: images belong to projects.', PROJECT_COMMANDS);
