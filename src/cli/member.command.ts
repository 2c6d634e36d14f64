/**
 * Sharing from the command line: `imago image share|unshare IMAGE PROJECT` for the owner,
 * `imago image accept|reject IMAGE` for the project an image is shared with, and
 * `imago member list IMAGE` for both.
 */
import type { ImageClient } from '../client/image-client.js';
import type { ImageRecord } from '../client/image-types.js';
import type { ImageMemberRecord, MemberStatus } from '../client/member-types.js';
import { expectPositionals, stringOption } from './args.js';
import { writeLine } from './cli-io.js';
import { GLOBAL_HELP, type Command, type CommandContext } from './command.js';
import { printJson } from './image-print.js';
import { resolveProject } from './project-ref.js';
import { resolveImage } from './image-ref.js';
import { printable } from './output/table.js';
import { renderMemberList } from './output/member-output.js';

const label = (image: ImageRecord): string => printable(image.name ? `${image.name} (${image.id})` : image.id);

export const imageShareCommand: Command = {
  name: 'share',
  usage: 'image share IMAGE PROJECT',
  summary: 'Share a shared-visibility image with another project, which then accepts or rejects it.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 2, 2, 'the image id or name and the project to share it with');
    const [ref, projectRef] = positionals as [string, string];
    const project = await resolveProject(context, projectRef);
    const client = context.client();
    const image = await resolveImage(client, ref);
    // The server would refuse too; saying what to do about it is kinder than its 403.
    if (image.visibility !== 'shared') {
      throw new Error(`image ${label(image)} is ${image.visibility}, and only shared images have members: first run 'imago image update ${ref} --visibility shared'`);
    }
    const member = await client.addMember(image.id, project);
    if (context.json) printJson(context, member);
    else writeLine(context.io.stdout, `Shared image ${label(image)} with project ${printable(projectRef)}; it stays pending until that project accepts it.`);
  },
};

export const imageUnshareCommand: Command = {
  name: 'unshare',
  usage: 'image unshare IMAGE PROJECT',
  summary: 'Stop sharing an image with a project.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 2, 2, 'the image id or name and the project to stop sharing it with');
    const [ref, projectRef] = positionals as [string, string];
    const project = await resolveProject(context, projectRef);
    const client = context.client();
    const image = await resolveImage(client, ref);
    await client.removeMember(image.id, project);
    if (!context.json) writeLine(context.io.stdout, `Image ${label(image)} is no longer shared with project ${printable(projectRef)}.`);
  },
};

const MEMBER_OPTIONS = { project: { type: 'string' } } as const;
const MEMBER_HELP = `options:
  --project P   your project (found from the image's memberships when omitted)`;

export const imageAcceptCommand: Command = {
  name: 'accept',
  usage: 'image accept IMAGE [--project P]',
  summary: 'Accept an image shared with your project: it then appears in your image list.',
  help: MEMBER_HELP,
  options: MEMBER_OPTIONS,
  run: (context, args) => decide(context, args.positionals, stringOption(args.values, 'project'), 'accepted'),
};

export const imageRejectCommand: Command = {
  name: 'reject',
  usage: 'image reject IMAGE [--project P]',
  summary: 'Reject an image shared with your project: it leaves your image list (you may still accept it later).',
  help: MEMBER_HELP,
  options: MEMBER_OPTIONS,
  run: (context, args) => decide(context, args.positionals, stringOption(args.values, 'project'), 'rejected'),
};

async function decide(context: CommandContext, positionals: string[], project: string | undefined, status: MemberStatus): Promise<void> {
  expectPositionals(positionals, 1, 1, 'the image id or name');
  const client = context.client();
  // An image not yet accepted is missing from the default list, so names are looked up in all.
  const image = await resolveImage(client, positionals[0]!, { member_status: 'all' });
  const member = await client.updateMember(image.id, project !== undefined ? await resolveProject(context, project) : await ownMembership(client, image), status);
  if (context.json) printJson(context, member);
  else if (status === 'accepted') writeLine(context.io.stdout, `Accepted image ${label(image)}; it now appears in your image list.`);
  else writeLine(context.io.stdout, `Rejected image ${label(image)}; it no longer appears in your image list.`);
}

/** A member sees only its own membership, so a single entry is the caller's project. */
export async function ownMembership(client: Pick<ImageClient, 'listMembers'>, image: ImageRecord): Promise<string> {
  const { members } = await client.listMembers(image.id);
  if (members.length === 1) return members[0]!.member_id;
  if (members.length === 0) throw new Error(`image ${label(image)} is not shared with your project`);
  throw new Error(`image ${label(image)} has ${members.length} members, so you are probably its owner; name the member project with --project`);
}

export const memberListCommand: Command = {
  name: 'list',
  usage: 'member list IMAGE',
  summary: "List an image's members: all of them for its owner, your own membership for a member.",
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!, { member_status: 'all' });
    const { members } = await client.listMembers(image.id);
    printMembers(context, members);
  },
};

/** --json prints a bare array, like `image list --json`. */
function printMembers(context: CommandContext, members: ImageMemberRecord[]): void {
  if (context.json) printJson(context, members);
  else writeLine(context.io.stdout, renderMemberList(members));
}

export const MEMBER_COMMANDS: readonly Command[] = [memberListCommand];

export function memberGroupHelp(): string {
  const width = Math.max(...MEMBER_COMMANDS.map((c) => c.name.length));
  return [
    'usage: imago member COMMAND [options]',
    '',
    "An image's members are the projects it is shared with; see also 'imago image share|unshare|accept|reject'.",
    '',
    'commands:',
    ...MEMBER_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
  ].join('\n');
}
