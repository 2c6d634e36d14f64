/** `imago image upload` and `imago image download`. */
import { expectPositionals, stringOption, UsageError } from './args.js';
import type { Command } from './command.js';
import { warnIfDeprecated } from './image-catalog.command.js';
import { resolveImage } from './image-ref.js';
import { downloadImage, sourceSize, uploadFile } from './image-transfer.js';

export const imageUploadCommand: Command = {
  name: 'upload',
  usage: 'image upload IMAGE FILE',
  summary: 'Upload the data of a queued image from FILE (a pipe works too, without a known size).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 2, 2, positionals.length === 0 ? 'the image id or name' : 'the file to upload');
    const [ref, file] = positionals as [string, string];
    const size = await sourceSize(file);
    const image = await resolveImage(context.client(), ref);
    // The server would refuse too, but only after the data started flowing; say why up front.
    if (image.status !== 'queued') throw new Error(`image ${image.id} is ${image.status}: only a queued image accepts data`);
    await uploadFile(context, image.id, file, size);
  },
};

export const imageDownloadCommand: Command = {
  name: 'download',
  usage: 'image download IMAGE [-o FILE] [--format F]',
  summary: 'Download an image\'s data to a file or stdout, verifying its MD5.',
  help: `Without -o the data goes to stdout, unless stdout is a terminal. A whole, unconverted
download is checked against the image's MD5 and fails loudly on a mismatch.

options:
  -o, --output FILE   write here (kept only once complete and verified)
  --format F          ask the server to convert to this disk format while downloading`,
  options: {
    output: { type: 'string', short: 'o' },
    format: { type: 'string' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const output = stringOption(values, 'output');
    if (output === undefined && context.io.stdout.isTTY) {
      throw new UsageError('refusing to write image data to a terminal: use -o FILE or redirect stdout');
    }
    const image = await resolveImage(context.client(), positionals[0]!);
    warnIfDeprecated(context, image);
    await downloadImage(context, image, output, stringOption(values, 'format'));
  },
};
