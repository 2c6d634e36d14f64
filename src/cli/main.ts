/**
 * The `imago` command line: finds the command in argv, runs it, and turns every failure
 * into one line on stderr and an exit code (0 ok, 1 failed, 2 wrongly called).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { processIo, writeLine, type CliIo } from './cli-io.js';
import { GLOBAL_HELP, runCommand, type Command } from './command.js';
import { FAMILY_COMMANDS, familyGroupHelp } from './family.command.js';
import { IMAGE_COMMANDS, imageGroupHelp } from './image.command.js';
import { MEMBER_COMMANDS, memberGroupHelp } from './member.command.js';
import { METADEF_COMMANDS, metadefGroupHelp } from './metadef.command.js';
import { QUOTA_COMMANDS, quotaGroupHelp } from './quota.command.js';
import { CREDENTIAL_COMMANDS, credentialGroupHelp, ROLE_COMMANDS, roleGroupHelp } from './role-credential.command.js';
import { serveCommand } from './serve.command.js';
import { PROJECT_COMMANDS, projectGroupHelp, USER_COMMANDS, userGroupHelp } from './user-project.command.js';

const TOP_HELP = `usage: imago [--url URL] [--token TOKEN] [--json] COMMAND ...

Imago: a VM image service speaking the OpenStack Image API v2.

commands:
  serve    run the Imago server
  image    manage images: ${IMAGE_COMMANDS.map((c) => c.name).join(', ')}
  family   image families and their latest version: ${FAMILY_COMMANDS.map((c) => c.name).join(', ')}
  member   the projects an image is shared with: ${MEMBER_COMMANDS.map((c) => c.name).join(', ')}
  quota    quotas and usage: ${QUOTA_COMMANDS.map((c) => c.name).join(', ')}
  user     Imago's own users (standalone identity): ${USER_COMMANDS.map((c) => c.name).join(', ')}
  project  Imago's own projects: ${PROJECT_COMMANDS.map((c) => c.name).join(', ')}
  role     roles and assignments: ${ROLE_COMMANDS.map((c) => (c.name === 'assignment' ? 'assignment list' : c.name)).join(', ')}
  credential your application credentials: ${CREDENTIAL_COMMANDS.map((c) => c.name).join(', ')}
  metadef  metadata definitions: ${METADEF_COMMANDS.map((c) => c.name).join(', ')}

Run 'imago image --help' for the image commands, 'imago image COMMAND --help' for one command.

${GLOBAL_HELP}`;

/** Global options that take a value, so their value is not mistaken for a command word. */
const VALUE_OPTIONS = new Set(['--url', '--token']);

/** The first command word in argv and argv without it; options may come before it. */
export function takeWord(argv: string[]): { word: string; rest: string[] } | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (VALUE_OPTIONS.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return { word: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return undefined;
}

/** `imago GROUP COMMAND ...`: each group's commands and its help page. */
const GROUPS: Readonly<Record<string, { commands: readonly Command[]; help: () => string }>> = {
  image: { commands: IMAGE_COMMANDS, help: imageGroupHelp },
  family: { commands: FAMILY_COMMANDS, help: familyGroupHelp },
  member: { commands: MEMBER_COMMANDS, help: memberGroupHelp },
  quota: { commands: QUOTA_COMMANDS, help: quotaGroupHelp },
  user: { commands: USER_COMMANDS, help: userGroupHelp },
  project: { commands: PROJECT_COMMANDS, help: projectGroupHelp },
  role: { commands: ROLE_COMMANDS, help: roleGroupHelp },
  credential: { commands: CREDENTIAL_COMMANDS, help: credentialGroupHelp },
  metadef: { commands: METADEF_COMMANDS, help: metadefGroupHelp },
};

const wantsHelp = (argv: string[]): boolean => argv.includes('--help') || argv.includes('-h');

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      writeLine(io.stderr, `imago: ${err.message}`);
      writeLine(io.stderr, `usage: ${err.usage ?? 'imago [--url URL] [--token TOKEN] COMMAND ... (see imago --help)'}`);
      return 2;
    }
    writeLine(io.stderr, `imago: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const command = takeWord(argv);
  if (command === undefined) {
    if (argv.includes('--version')) {
      writeLine(io.stdout, version());
      return 0;
    }
    if (wantsHelp(argv)) {
      writeLine(io.stdout, TOP_HELP);
      return 0;
    }
    throw new UsageError('missing command');
  }
  if (command.word === 'serve') return runCommand(serveCommand, command.rest, io);
  const group = Object.hasOwn(GROUPS, command.word) ? GROUPS[command.word]! : undefined;
  if (group === undefined) throw new UsageError(`unknown command '${command.word}'`);

  const groupUsage = `imago ${command.word} COMMAND [options] (see imago ${command.word} --help)`;
  const sub = takeWord(command.rest);
  if (sub === undefined) {
    if (wantsHelp(command.rest)) {
      writeLine(io.stdout, group.help());
      return 0;
    }
    throw new UsageError(`missing ${command.word} command`, groupUsage);
  }
  const found = group.commands.find((c) => c.name === sub.word);
  if (found === undefined) throw new UsageError(`unknown ${command.word} command '${sub.word}'`, groupUsage);
  return runCommand(found, sub.rest, io);
}

function version(): string {
  // src/cli/ and dist/cli/ both sit two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `imago ${pkg.version}`;
}
