/**
 * `imago image convert IN OUT --format F`: converts a local disk image with the same streaming
 * converters the server uses. The input is inspected first, like an upload: a hostile image is
 * refused before any converter reads it, and its real format is what gets converted.
 */
import { UsageError, expectPositionals, flagOption, stringOption } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command } from './command.js';
import { convertFile } from '../formats/convert/convert-file.js';
import { INPUT_FORMATS, OUTPUT_FORMATS, type InputFormat, type OutputFormat } from '../formats/convert/disk-format.js';
import { inspectFile } from '../formats/inspect/index.js';

export const imageConvertCommand: Command = {
  name: 'convert',
  local: true,
  usage: 'image convert IN OUT --format F [--vhd-fixed] [--align-1mib]',
  summary: 'Convert a local disk image to raw, qcow2, vmdk (streamOptimized), vhd or vhdx.',
  help: `options:
  --format F     output format: ${OUTPUT_FORMATS.join(', ')}
  --vhd-fixed    vhd output: a fixed VHD instead of a dynamic one
  --align-1mib   vhd output: round the virtual size up to a whole MiB (Azure requires both)`,
  options: {
    format: { type: 'string' },
    'vhd-fixed': { type: 'boolean' },
    'align-1mib': { type: 'boolean' },
  },
  async run(context, { positionals, values }) {
    expectPositionals(positionals, 2, 2, 'the input and output files');
    const [input, output] = positionals as [string, string];
    const format = stringOption(values, 'format');
    if (!format || !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    }
    const vhdFixed = flagOption(values, 'vhd-fixed');
    const align = flagOption(values, 'align-1mib');
    if ((vhdFixed || align) && format !== 'vhd') throw new UsageError('--vhd-fixed and --align-1mib apply to --format vhd');

    const verdict = await inspectFile(input);
    if (!verdict.ok) {
      writeLine(context.io.stderr, `imago: refusing to convert ${input}: ${verdict.message} (${verdict.reason})`);
      return 1;
    }
    const inputFormat = verdict.format === 'iso' ? 'raw' : verdict.format;
    if (!(INPUT_FORMATS as readonly string[]).includes(inputFormat)) {
      writeLine(context.io.stderr, `imago: cannot convert ${verdict.format} images`);
      return 1;
    }
    const progress = context.progress(`${verdict.format} → ${format}`);
    try {
      const { bytesWritten } = await convertFile(input, inputFormat as InputFormat, output, format as OutputFormat, {
        ...(vhdFixed ? { vhdSubformat: 'fixed' as const } : {}),
        ...(align ? { alignTo1MiB: true } : {}),
        // The planning pass of layout-first outputs is short; the bar follows the writing.
        onProgress: ({ phase, done, total }) => { if (phase === 'write') progress.update(done, total); },
      });
      progress.finish();
      if (context.json) writeLine(context.io.stdout, JSON.stringify({ input, inputFormat: verdict.format, output, format, virtualSize: verdict.virtualSize, bytesWritten }));
      else writeLine(context.io.stderr, `converted ${verdict.format} → ${format}: ${output} (${bytesWritten} bytes)`);
    } catch (err) {
      progress.abandon();
      throw err;
    }
  },
};
