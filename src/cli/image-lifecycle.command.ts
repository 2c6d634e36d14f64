/** `imago image delete`, `deactivate` and `reactivate`. */
import { expectPositionals } from './args.js';
import type { Command } from './command.js';
import { resolveImage } from './image-ref.js';
import { writeLine } from './cli-io.js';

export const imageDeleteCommand: Command = {
  name: 'delete',
  usage: 'image delete IMAGE...',
  summary: 'Delete images (each one is attempted; exit 1 if any failed).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, Infinity, 'the image id or name');
    const client = context.client();
    let failed = 0;
    for (const ref of positionals) {
      try {
        await client.deleteImage((await resolveImage(client, ref)).id);
      } catch (err) {
        failed += 1;
        writeLine(context.io.stderr, `imago: cannot delete ${ref}: ${(err as Error).message}`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};

export const imageDeactivateCommand: Command = {
  name: 'deactivate',
  usage: 'image deactivate IMAGE',
  summary: 'Deactivate an image: its data cannot be downloaded until reactivated (admin).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const client = context.client();
    await client.deactivate((await resolveImage(client, positionals[0]!)).id);
  },
};

export const imageReactivateCommand: Command = {
  name: 'reactivate',
  usage: 'image reactivate IMAGE',
  summary: 'Reactivate a deactivated image (admin).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const client = context.client();
    await client.reactivate((await resolveImage(client, positionals[0]!)).id);
  },
};
