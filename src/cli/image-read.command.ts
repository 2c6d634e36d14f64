/** `imago image list` and `imago image show`. */
import type { ImageListQuery, ImageRecord } from '../client/image-types.js';
import {
  expectPositionals, flagOption, integerOption, keyValueOption, listOption, stringOption, type OptionValues,
} from './args.js';
import { writeLine } from './cli-io.js';
import type { Command } from './command.js';
import { warnIfDeprecated } from './image-catalog.command.js';
import { resolveImage } from './image-ref.js';
import { printImage, printImages } from './image-print.js';

/** Query parameters the list flags map to; the flag names match Glance's filters. */
export function listQuery(values: OptionValues): ImageListQuery {
  const query: ImageListQuery = { ...keyValueOption(values, 'property') };
  // The server validates the values (and lists the allowed ones when one is wrong).
  for (const name of ['name', 'status', 'visibility', 'owner', 'sort']) {
    const value = stringOption(values, name);
    if (value !== undefined) query[name] = value;
  }
  // Imago's catalog fields; the server refuses an unknown kind, disk role, bus or format.
  const catalogOptions = [
    ['kind', 'imago_kind'], ['family', 'imago_family'],
    ['disk-role', 'imago_disk_role'], ['disk-bus', 'imago_disk_bus'], ['disk-format', 'imago_disk_format'],
  ] as const;
  for (const [option, field] of catalogOptions) {
    const value = stringOption(values, option);
    if (value !== undefined) query[field] = value;
  }
  const tags = listOption(values, 'tag');
  if (tags.length > 0) query.tag = tags;
  const limit = integerOption(values, 'limit', 1);
  if (limit !== undefined) query.limit = limit;
  return query;
}

export const imageListCommand: Command = {
  name: 'list',
  usage: 'image list [--name N] [--status S] [--visibility V] [--owner O] [--kind K] [--family F] [--disk-role R] [--disk-bus B] [--disk-format F] [--tag T]... [--property K=V]... [--sort KEY:DIR] [--limit N] [--all]',
  summary: 'List images: one page (the server\'s default size, or --limit), or every page with --all.',
  help: `options:
  --name N, --status S, --visibility V, --owner O   filter on these fields (Glance syntax, e.g. --status in:active,queued)
  --kind K             only images of this kind: standard, capsule or custom
  --family F           only images of this family
  --disk-role R, --disk-bus B, --disk-format F
                       only images with a disk of this role, bus and format (one disk
                       matches all given; in: lists too, e.g. --disk-bus in:scsi,nvme)
  --tag T              only images with this tag (repeatable: all must match)
  --property K=V       only images whose property K is V (repeatable)
  --sort KEY:DIR       e.g. name:asc or created_at:desc,name:asc
  --limit N            page size
  --all                follow the pages to the end`,
  options: {
    name: { type: 'string' },
    status: { type: 'string' },
    visibility: { type: 'string' },
    owner: { type: 'string' },
    kind: { type: 'string' },
    family: { type: 'string' },
    'disk-role': { type: 'string' },
    'disk-bus': { type: 'string' },
    'disk-format': { type: 'string' },
    tag: { type: 'string', multiple: true },
    property: { type: 'string', multiple: true },
    sort: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 0, 0, '');
    const query = listQuery(values);
    const client = context.client();
    let images: ImageRecord[];
    if (flagOption(values, 'all')) {
      images = [];
      for await (const image of client.allImages(query)) images.push(image);
    } else {
      const page = await client.listImages(query);
      images = page.images;
      // On stderr, so scripts reading stdout are unaffected; people learn the list is cut short.
      if (page.next !== undefined && !context.json) writeLine(context.io.stderr, `(first ${images.length} images shown; --all lists every page)`);
    }
    printImages(context, images);
  },
};

export const imageShowCommand: Command = {
  name: 'show',
  usage: 'image show IMAGE',
  summary: 'Show one image (by id or unique name).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const image = await resolveImage(context.client(), positionals[0]!);
    warnIfDeprecated(context, image);
    printImage(context, image);
  },
};
