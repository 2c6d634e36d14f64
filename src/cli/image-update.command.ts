/** `imago image update` (JSON-patch built from flags) and `imago image tag`. */
import type { Visibility } from '../client/image-types.js';
import {
  expectPositionals, flagOption, integerOption, keyValueOption, listOption, stringOption, UsageError, type OptionValues,
} from './args.js';
import type { Command } from './command.js';
import { buildImagePatch, type ImageChanges } from './image-patch.js';
import { printImage } from './image-print.js';
import { resolveImage } from './image-ref.js';

export function updateChanges(values: OptionValues): ImageChanges {
  if (!Object.keys(imageUpdateCommand.options).some((option) => values[option] !== undefined)) {
    throw new UsageError('nothing to update: give at least one option');
  }
  if (flagOption(values, 'protected') && flagOption(values, 'unprotected')) {
    throw new UsageError('--protected and --unprotected contradict each other');
  }
  const changes: ImageChanges = {
    setProperties: keyValueOption(values, 'property'),
    removeProperties: listOption(values, 'remove-property'),
  };
  const name = stringOption(values, 'name');
  if (name !== undefined) changes.name = name;
  const visibility = stringOption(values, 'visibility');
  if (visibility !== undefined) changes.visibility = visibility as Visibility;
  if (flagOption(values, 'protected')) changes.protected = true;
  if (flagOption(values, 'unprotected')) changes.protected = false;
  const minDisk = integerOption(values, 'min-disk');
  if (minDisk !== undefined) changes.minDisk = minDisk;
  const minRam = integerOption(values, 'min-ram');
  if (minRam !== undefined) changes.minRam = minRam;
  return changes;
}

export const imageUpdateCommand: Command = {
  name: 'update',
  usage: 'image update IMAGE [--name N] [--property K=V]... [--remove-property K]... [--min-disk GB] [--min-ram MB] [--protected|--unprotected] [--visibility V]',
  summary: 'Change an image\'s name, properties, boot requirements, protection or visibility.',
  help: `options:
  --name N               rename
  --property K=V         set a custom property (repeatable)
  --remove-property K    remove a custom property (repeatable)
  --min-disk GB, --min-ram MB   boot requirements
  --protected, --unprotected    allow or refuse deletion
  --visibility V         private, shared, community or public`,
  options: {
    name: { type: 'string' },
    property: { type: 'string', multiple: true },
    'remove-property': { type: 'string', multiple: true },
    'min-disk': { type: 'string' },
    'min-ram': { type: 'string' },
    protected: { type: 'boolean' },
    unprotected: { type: 'boolean' },
    visibility: { type: 'string' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const changes = updateChanges(values);
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!);
    printImage(context, await client.updateImage(image.id, buildImagePatch(image, changes)));
  },
};

export const imageTagCommand: Command = {
  name: 'tag',
  usage: 'image tag IMAGE TAG... [--remove]',
  summary: 'Add tags to an image, or remove them with --remove.',
  options: { remove: { type: 'boolean' } },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 2, Infinity, positionals.length === 0 ? 'the image id or name' : 'a tag');
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!);
    for (const tag of positionals.slice(1)) {
      if (flagOption(values, 'remove')) await client.removeTag(image.id, tag);
      else await client.addTag(image.id, tag);
    }
  },
};
