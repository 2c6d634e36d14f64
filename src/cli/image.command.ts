/** The `imago image …` group: its subcommands and its help page. */
import { GLOBAL_HELP, type Command } from './command.js';
import { imageDeprecateCommand, imageLatestCommand, imageLineageCommand, imageStaleCommand } from './image-catalog.command.js';
import { imageCreateCommand } from './image-create.command.js';
import { imageDownloadCommand, imageUploadCommand } from './image-data.command.js';
import { imageConvertCommand } from './image-convert.command.js';
import { imageInspectCommand } from './image-inspect.command.js';
import { imageDeactivateCommand, imageDeleteCommand, imageReactivateCommand } from './image-lifecycle.command.js';
import { imageListCommand, imageShowCommand } from './image-read.command.js';
import { imageAcceptCommand, imageRejectCommand, imageShareCommand, imageUnshareCommand } from './member.command.js';
import { imageTagCommand, imageUpdateCommand } from './image-update.command.js';

export const IMAGE_COMMANDS: readonly Command[] = [
  imageCreateCommand, imageListCommand, imageShowCommand, imageUpdateCommand, imageUploadCommand,
  imageDownloadCommand, imageDeleteCommand, imageTagCommand, imageDeactivateCommand, imageReactivateCommand,
  imageInspectCommand, imageConvertCommand, imageShareCommand, imageUnshareCommand, imageAcceptCommand, imageRejectCommand,
  imageLatestCommand, imageLineageCommand, imageStaleCommand, imageDeprecateCommand,
];

export function imageGroupHelp(): string {
  const width = Math.max(...IMAGE_COMMANDS.map((c) => c.name.length));
  return [
    'usage: imago image COMMAND [options]',
    '',
    'IMAGE is an image id or a unique image name.',
    '',
    'commands:',
    ...IMAGE_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'imago image COMMAND --help' for a command's options.",
    '',
    GLOBAL_HELP,
  ].join('\n');
}
