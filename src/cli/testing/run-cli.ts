/**
 * Runs the `imago` CLI in-process through main(), as tests do: output is captured, the
 * environment is only what the test passes, and nothing waits for a signal.
 */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../cli-io.js';
import { main } from '../main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, options: { stdoutIsTTY?: boolean } = {}): Promise<CliRun> {
  const capture = (isTTY: boolean) => {
    const stream = Object.assign(new PassThrough(), { isTTY });
    let text = '';
    stream.on('data', (c: Buffer) => { text += c.toString(); });
    return { stream, text: () => text };
  };
  const out = capture(options.stdoutIsTTY ?? false);
  const err = capture(false);
  const io: CliIo = { stdout: out.stream, stderr: err.stream, env, waitForShutdown: () => new Promise(() => undefined) };
  const code = await main(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}
