/** `imago image create`: a new image record, and with --file its data, like `openstack image create --file`. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { ImageCreateFields, ImageRecord } from '../client/image-types.js';
import {
  expectPositionals, flagOption, integerOption, keyValueOption, listOption, stringOption, UsageError, type OptionValues,
} from './args.js';
import { writeLine } from './cli-io.js';
import type { Command, CommandContext } from './command.js';
import { printImage } from './image-print.js';
import { sourceSize, uploadFile } from './image-transfer.js';

/** Extensions that name their format unambiguously (`.img` does not: it is raw or qcow2). */
const FORMAT_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.qcow2': 'qcow2', '.vmdk': 'vmdk', '.vhd': 'vhd', '.vhdx': 'vhdx', '.vdi': 'vdi', '.iso': 'iso', '.raw': 'raw',
};

/**
 * The POST /v2/images body. Formats default as in `openstack image create` (raw, bare),
 * except that a file with a telling extension sets the disk format, because the server
 * inspects uploads and refuses data that does not match it.
 */
export function createFields(name: string, values: OptionValues): ImageCreateFields {
  const file = stringOption(values, 'file');
  const fields: ImageCreateFields = {
    ...keyValueOption(values, 'property'),
    name,
    disk_format: (stringOption(values, 'disk-format') ?? (file && FORMAT_BY_EXTENSION[extname(file).toLowerCase()]) ?? 'raw') as ImageCreateFields['disk_format'],
    container_format: (stringOption(values, 'container-format') ?? 'bare') as ImageCreateFields['container_format'],
  };
  const visibility = stringOption(values, 'visibility');
  if (visibility !== undefined) fields.visibility = visibility as ImageCreateFields['visibility'];
  if (flagOption(values, 'protected')) fields.protected = true;
  const minDisk = integerOption(values, 'min-disk');
  if (minDisk !== undefined) fields.min_disk = minDisk;
  const minRam = integerOption(values, 'min-ram');
  if (minRam !== undefined) fields.min_ram = minRam;
  const tags = listOption(values, 'tag');
  if (tags.length > 0) fields.tags = tags;
  const id = stringOption(values, 'id');
  if (id !== undefined) fields.id = id;
  Object.assign(fields, catalogFields(values));
  return fields;
}

const KINDS = ['standard', 'capsule', 'custom'] as const;

/** The catalog options (docs/catalog.md): kind, family, version, base, source, manifest and disks files. */
function catalogFields(values: OptionValues): Partial<ImageCreateFields> {
  const fields: Partial<ImageCreateFields> = {};
  const kind = stringOption(values, 'kind');
  if (kind !== undefined) {
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    fields.imago_kind = kind as (typeof KINDS)[number];
  }
  for (const [option, field] of [['family', 'imago_family'], ['version', 'imago_version'], ['base', 'imago_base_image_id']] as const) {
    const value = stringOption(values, option);
    if (value !== undefined) fields[field] = value;
  }
  const source = stringOption(values, 'source');
  if (source !== undefined) {
    const [type = '', ...ref] = source.split(':');
    fields.imago_source = { type, ref: ref.length > 0 ? ref.join(':') : null };
  }
  const manifest = stringOption(values, 'manifest');
  if (manifest !== undefined) fields.imago_manifest = jsonFile(manifest, '--manifest') as Record<string, unknown>;
  const disks = stringOption(values, 'disks');
  if (disks !== undefined) fields.imago_disks = jsonFile(disks, '--disks') as Array<Record<string, unknown>>;
  return fields;
}

function jsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${option}: ${path} is not JSON: ${(err as Error).message}`);
  }
}

export const imageCreateCommand: Command = {
  name: 'create',
  usage: 'image create NAME [--disk-format F] [--container-format C] [--visibility V] [--protected] [--min-disk GB] [--min-ram MB] [--property K=V]... [--tag T]... [--id UUID] [--kind K] [--family F] [--version V] [--base IMAGE_ID] [--source TYPE[:REF]] [--manifest FILE] [--disks FILE] [--file PATH]',
  summary: 'Create an image; with --file, upload its data too.',
  help: `options:
  --disk-format F        raw, qcow2, vmdk, vhd, vhdx, vdi, iso … (default: from the file's extension, else raw)
  --container-format C   bare, ovf, ova … (default bare)
  --visibility V         private, shared, community or public
  --protected            refuse deletion until unprotected
  --min-disk GB          disk needed to boot
  --min-ram MB           memory needed to boot
  --property K=V         a custom property (repeatable)
  --tag T                a tag (repeatable)
  --id UUID              choose the image id
  --kind K               standard (admins and publishers), capsule or custom (default)
  --family F             the family (image line) it is a version of
  --version V            its version in the family
  --base IMAGE_ID        the image it was built on
  --source TYPE[:REF]    how it was made: upload, import:URL, snapshot:INSTANCE or build:ID
  --manifest FILE        a capsule's manifest, as JSON
  --disks FILE           the disks it describes, as a JSON array
  --file PATH            upload this file's data after creating the record`,
  options: {
    'disk-format': { type: 'string' },
    'container-format': { type: 'string' },
    visibility: { type: 'string' },
    protected: { type: 'boolean' },
    'min-disk': { type: 'string' },
    'min-ram': { type: 'string' },
    property: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    id: { type: 'string' },
    kind: { type: 'string' },
    family: { type: 'string' },
    version: { type: 'string' },
    base: { type: 'string' },
    source: { type: 'string' },
    manifest: { type: 'string' },
    disks: { type: 'string' },
    file: { type: 'string' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the image name');
    const fields = createFields(positionals[0]!, values);
    const file = stringOption(values, 'file');
    // Check the file before creating anything, so a typo does not leave an empty image behind.
    const size = file === undefined ? undefined : await sourceSize(file);
    const client = context.client();
    let image = await client.createImage(fields);
    if (file !== undefined) {
      if (!(await uploadCreated(context, image, file, size))) return 1;
      image = await client.getImage(image.id);
    }
    printImage(context, image);
  },
};

async function uploadCreated(context: CommandContext, image: ImageRecord, file: string, size: number | undefined): Promise<boolean> {
  try {
    await uploadFile(context, image.id, file, size);
    return true;
  } catch (err) {
    const { stderr } = context.io;
    writeLine(stderr, `imago: upload of ${file} failed: ${(err as Error).message}`);
    writeLine(stderr, `imago: image ${image.id} was created without data; retry with 'imago image upload ${image.id} ${file}' or remove it with 'imago image delete ${image.id}'`);
    return false;
  }
}
