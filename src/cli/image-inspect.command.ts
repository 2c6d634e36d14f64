/**
 * `imago image inspect FILE`: the same inspection the server runs on uploads, on a local file,
 * so a user learns before uploading what Imago will see (and whether it will refuse it).
 */
import { expectPositionals, flagOption, integerOption } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command } from './command.js';
import { formatBytes } from './output/units.js';
import { renderFields } from './output/table.js';
import { inspectFile } from '../formats/inspect/index.js';

export const imageInspectCommand: Command = {
  name: 'inspect',
  local: true,
  usage: 'image inspect FILE [--disk-format F] [--max-virtual-size BYTES] [--allow-encrypted]',
  summary: 'Inspect a local disk image: real format, virtual size, and whether Imago accepts it.',
  help: `options:
  --disk-format F            check the file against this declared disk_format, as an upload would
  --max-virtual-size BYTES   refuse larger virtual disks (default 1 TiB, the server's default)
  --allow-encrypted          accept encrypted qcow2 images`,
  options: {
    'disk-format': { type: 'string' },
    'max-virtual-size': { type: 'string' },
    'allow-encrypted': { type: 'boolean' },
  },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'the file to inspect');
    const verdict = await inspectFile(positionals[0]!, {
      declaredFormat: typeof values['disk-format'] === 'string' ? values['disk-format'] : null,
      maxVirtualSize: integerOption(values, 'max-virtual-size', 1),
      allowEncrypted: flagOption(values, 'allow-encrypted'),
    });
    if (context.json) {
      writeLine(context.io.stdout, JSON.stringify(verdict, null, 2));
    } else if (verdict.ok) {
      writeLine(context.io.stdout, renderFields([
        ['verdict', 'accepted'],
        ['format', verdict.format],
        ['virtual_size', `${formatBytes(verdict.virtualSize)} (${verdict.virtualSize} bytes)`],
        ['file_size', `${formatBytes(verdict.fileSize)} (${verdict.fileSize} bytes)`],
        ...Object.entries(verdict.details).map(([key, value]): [string, string] => [key, String(value)]),
      ]));
    } else {
      writeLine(context.io.stdout, renderFields([
        ['verdict', 'refused'],
        ['reason', verdict.reason],
        ['message', verdict.message],
        ...(verdict.format ? [['format', verdict.format] as [string, string]] : []),
      ]));
    }
    return verdict.ok ? 0 : 1;
  },
};
