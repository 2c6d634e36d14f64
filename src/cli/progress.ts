/**
 * The transfer progress line on stderr: bytes done of total, percent, rate and ETA, redrawn
 * in place at most ten times a second. When stderr is not a terminal it stays silent, so
 * logs and captured output carry no carriage returns or escape codes.
 */
import type { TerminalStream } from './cli-io.js';
import { formatBytes, formatDuration, formatRate } from './output/units.js';

export interface ProgressState {
  label: string;
  done: number;
  total: number | undefined;
  /** Bytes per second over the recent past; undefined until there is enough to measure. */
  rate: number | undefined;
  elapsedMs: number;
  finished: boolean;
}

const MAX_LABEL = 32;
const MAX_BAR = 30;
const MIN_BAR = 8;

/**
 * One progress line. With a known total every field is padded to a width fixed for the whole
 * transfer, so the bar does not jitter as the numbers change.
 */
export function formatProgress(state: ProgressState, width: number): string {
  const label = state.label.length > MAX_LABEL ? `${state.label.slice(0, MAX_LABEL - 1)}…` : state.label;
  const total = state.total !== undefined && state.total > 0 ? state.total : undefined;
  const rate = state.finished && state.elapsedMs > 0 ? (state.done * 1000) / state.elapsedMs : state.rate;
  const rateText = (rate === undefined ? '' : formatRate(rate)).padEnd(11);
  if (total === undefined) {
    const time = state.finished ? `in ${formatDuration(state.elapsedMs / 1000)}` : formatDuration(state.elapsedMs / 1000);
    return clip(`${label}  ${formatBytes(state.done)}  ${rateText}  ${time}`.trimEnd(), width);
  }
  const fraction = Math.min(1, state.done / total);
  const totalText = formatBytes(total);
  const bytes = `${formatBytes(state.done)}/${totalText}`.padStart(totalText.length * 2 + 1);
  const time = state.finished
    ? `in ${formatDuration(state.elapsedMs / 1000)}`
    : rate !== undefined && rate > 0 ? `ETA ${formatDuration((total - state.done) / rate)}` : '';
  const tail = `${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${bytes}  ${rateText}  ${time.padEnd(8)}`;
  const room = width - label.length - tail.length - 6; // two separators and the brackets
  if (room < MIN_BAR) return clip(`${label}  ${tail}`.trimEnd(), width);
  const barWidth = Math.min(MAX_BAR, room);
  const filled = Math.round(fraction * barWidth);
  const bar = filled >= barWidth ? '='.repeat(barWidth) : `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}`.padEnd(barWidth);
  return `${label}  [${bar}]  ${tail}`.trimEnd();
}

function clip(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width));
}

export interface ProgressBarOptions {
  now?: () => number;
  /** Smallest gap between redraws. */
  intervalMs?: number;
}

/** The window the rate is measured over: long enough to be steady, short enough to react. */
const RATE_WINDOW_MS = 3000;

export class ProgressBar {
  readonly enabled: boolean;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly startedAt: number;
  private lastDraw = -Infinity;
  private done = 0;
  private total: number | undefined;
  private samples: { at: number; done: number }[] = [];
  private ended = false;

  constructor(private readonly stream: TerminalStream, private readonly label: string, options: ProgressBarOptions = {}) {
    this.enabled = stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? 100;
    this.startedAt = this.now();
  }

  /** A ProgressListener: pass it straight to the client's onProgress. */
  readonly update = (done: number, total: number | undefined): void => {
    this.done = done;
    this.total = total;
    if (!this.enabled || this.ended) return;
    const at = this.now();
    if (at - this.lastDraw < this.intervalMs) return;
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    this.draw(false, at);
  };

  /** Draws the completed line and moves to the next one. */
  finish(): void {
    if (!this.enabled || this.ended) return;
    this.draw(true, this.now());
    this.stream.write('\n');
    this.ended = true;
  }

  /** Leaves the line as it stands, so an error message that follows starts on a clean line. */
  abandon(): void {
    if (!this.enabled || this.ended) return;
    if (this.lastDraw !== -Infinity) this.stream.write('\n');
    this.ended = true;
  }

  private draw(finished: boolean, at: number): void {
    this.lastDraw = at;
    const line = formatProgress({
      label: this.label,
      done: this.done,
      total: this.total,
      rate: this.rate(),
      elapsedMs: at - this.startedAt,
      finished,
    }, (this.stream.columns || 80) - 1); // a pty may report 0 columns
    // \r returns to the start of the line; ESC[K clears what a longer previous line left behind.
    this.stream.write(`\r${line}\x1b[K`);
  }

  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }
}
