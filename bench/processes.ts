/**
 * Every process the bench starts goes through here, so each one is stopped however the bench
 * ends: normally, on an exception, or on SIGINT/SIGTERM (see run.ts). Children written in
 * TypeScript are transpiled to plain .mjs first and run without a loader: a TypeScript loader
 * adds a hooks thread (~40 MB of RSS) that would be charged to the server under test.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';

const live = new Set<ChildProcess>();

/** Starts a process and tracks it until it exits. */
export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Sends SIGTERM to every live child, then SIGKILL to those still there after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((child) => stopProcess(child, graceMs)));
}

/** Synchronous last resort for signal handlers: kill every live child now. */
export function killAllNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Asks a child to stop (SIGTERM), kills it after `graceMs`, and resolves once it is gone. */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and collects its output. */
export function run(command: string, args: readonly string[]): Promise<Finished> {
  const child = startProcess(command, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Transpiles a bench child (a .ts file importing only node: modules statically) into `dir`
 * and returns the path of the .mjs to run with plain node.
 */
export function transpileChild(tsPath: string, dir: string): string {
  const { outputText } = ts.transpileModule(readFileSync(tsPath, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: tsPath,
  });
  const out = join(dir, basename(tsPath).replace(/\.ts$/, '.mjs'));
  writeFileSync(out, outputText);
  return out;
}

/**
 * Resolves with the first stdout line that is JSON with `ready`, or rejects if the child exits
 * first. Later JSON lines go to `onMessage`; stderr after that is shown with the child's name.
 */
export function waitForReady<T>(child: ChildProcess, what: string, onMessage?: (message: Record<string, unknown>) => void, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let ready = false;
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    const onLine = (line: string) => {
      let message: (T & { ready?: boolean }) | undefined;
      try {
        message = JSON.parse(line) as T & { ready?: boolean };
      } catch {
        return; // a log line
      }
      if (ready) onMessage?.(message as Record<string, unknown>);
      else if (message.ready) {
        ready = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(message);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (code ${code}) before it was ready\n${stderr}`));
    function fail(err: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      reject(err);
    }
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (ready) process.stderr.write(`[${what}] ${chunk}`);
      else stderr += chunk;
    });
    child.once('exit', onExit);
  });
}
