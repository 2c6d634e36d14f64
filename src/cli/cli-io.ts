/**
 * Everything the CLI touches outside itself, passed in so tests can run commands in-process
 * with captured output, a chosen environment and no real signals.
 */
import type { Writable } from 'node:stream';

export type TerminalStream = Writable & { isTTY?: boolean; columns?: number };

export interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
  env: NodeJS.ProcessEnv;
  /** Resolves with the signal's name when the user asks a long-running command to stop. */
  waitForShutdown(): Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    waitForShutdown: () => new Promise((resolve) => {
      const stop = (signal: string): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  };
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
