/** Grouping findings, and saving them where people can reproduce them. */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveSample } from './sample.js';
import type { Sample } from './sample.js';
import type { Problem } from './target.js';

/**
 * What findings are grouped by: the kind and the message with numbers and quoted image content
 * blurred, so one bug reached through a thousand inputs is reported once.
 */
export function signature(p: Problem): string {
  const message = p.message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/0x[0-9a-f]+/gi, 'N')
    .replace(/\d+/g, 'N');
  return `${p.kind}: ${message}`;
}

/** Saves the input and a note (`<name>.txt`) with the problem and how to replay it; returns the input's path. */
export async function saveFinding(dir: string, target: string, p: Problem, sample: Sample): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `${p.kind}-${createHash('sha1').update(signature(p)).digest('hex').slice(0, 10)}`;
  const path = await saveSample(join(dir, name), sample);
  const note = [
    `kind: ${p.kind}`,
    `message: ${p.message}`,
    `input: ${path} (virtual size ${sample.size} bytes)`,
    `replay: node --import tsx fuzz/run.ts --target ${target} --replay ${path}`,
    ...(p.detail ? ['', p.detail] : []),
    '',
  ].join('\n');
  await writeFile(join(dir, `${name}.txt`), note);
  return path;
}
