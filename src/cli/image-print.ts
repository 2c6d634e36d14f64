/** Prints images for people (tables) or, with --json, as the API's JSON for scripts. */
import type { ImageRecord } from '../client/image-types.js';
import { writeLine } from './cli-io.js';
import type { CommandContext } from './command.js';
import { renderImage, renderImageList } from './output/image-output.js';

export function printJson(context: CommandContext, value: unknown): void {
  writeLine(context.io.stdout, JSON.stringify(value, null, 2));
}

export function printImage(context: CommandContext, image: ImageRecord): void {
  if (context.json) printJson(context, image);
  else writeLine(context.io.stdout, renderImage(image));
}

/** --json prints a bare array, so `imago image list --json | jq '.[].id'` works. */
export function printImages(context: CommandContext, images: ImageRecord[]): void {
  if (context.json) printJson(context, images);
  else writeLine(context.io.stdout, renderImageList(images));
}
