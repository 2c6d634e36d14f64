/**
 * Applies scheduled deprecation transitions and family retention without a manual step: a
 * timer runs CatalogService.applyDue every period. Several nodes may run it at once (each
 * transition is a compare-and-set), and reads apply a due transition themselves, so
 * correctness never depends on the period; it only bounds how long a list may show the old state.
 */
export interface DuePass {
  applyDue(): Promise<{ transitions: number; retired: number }>;
}

export interface SchedulerLog {
  warn(details: object, message: string): void;
}

export class CatalogScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly pass: DuePass, private readonly periodMs: number, private readonly log: SchedulerLog) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.tick(); }, this.periodMs);
    this.timer.unref();
  }

  /** One pass; a pass still running is not started twice. Failures are logged, never thrown. */
  tick(): Promise<void> {
    this.running ??= this.pass.applyDue()
      .then(() => undefined, (err: unknown) => { this.log.warn({ err }, 'catalog scheduler pass failed; retrying next period'); })
      .finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Stops the timer and waits for a pass under way, so the catalog can be closed after. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
