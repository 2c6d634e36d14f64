/** What a fuzz target provides to the engine, and what it reports. */
import type { Sample } from './sample.js';

export type ProblemKind =
  /** An exception escaped the code under test. */
  | 'exception'
  /** The code under test caught one of its own errors and turned it into a result (fail-closed safety net hit). */
  | 'internal-error'
  /** A result of the wrong shape or with impossible values. */
  | 'invalid-result'
  /** Two ways of computing the same result disagree. */
  | 'disagreement'
  /** One execution took longer than the time budget (confirmed by running it again). */
  | 'slow'
  /** One execution allocated more than the memory budget. */
  | 'memory'
  /** The code under test wrote into the input it was given. */
  | 'input-modified'
  /** The execution never finished: the watchdog stopped the worker. */
  | 'hang'
  /** The worker thread died (out of memory, or a fatal error). */
  | 'crash';

export interface Problem {
  kind: ProblemKind;
  /** One line; also what findings are grouped by (with numbers blurred). */
  message: string;
  /** Stack traces, the results compared... */
  detail?: string;
}

export interface Target {
  readonly name: string;
  /** Coverage is measured in scripts whose URL contains this (the code under test). */
  readonly coverageFilter: string;
  /** Tokens the mutator writes into inputs (magic numbers, keywords). */
  readonly dictionary: readonly Buffer[];
  /** Built-in starting inputs. */
  seeds(): Sample[];
  /** Repairs checksums after a mutation (in place), so that edits reach past checksum checks. */
  fixup(sample: Sample): void;
  /**
   * Runs one input through the code under test and checks the result; returns what is wrong.
   * An exception thrown from here is itself a finding.
   */
  run(sample: Sample): Promise<Problem[]>;
  /**
   * Byte ranges of a large file worth keeping as a fuzz input besides its first and last 64 KiB
   * (e.g. the metadata a parser reads), as [offset, length] pairs in order of importance.
   */
  rangesOfInterest?(file: { size: number; read(offset: number, length: number): Promise<Buffer> }): Promise<[number, number][]>;
  /** Tells apart an exception that the code under test caught for good reason from one that is a bug. */
  isExpectedException(description: string): boolean;
}
