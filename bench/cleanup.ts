/** What the bench started, undone in reverse order even when a step fails. */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<void> | void }[] = [];
  private running: Promise<void> | null = null;

  push(what: string, run: () => Promise<void> | void): void {
    this.steps.push({ what, run });
  }

  /** A second call (Ctrl-C while the bench unwinds) joins the first instead of racing it. */
  run(log: (line: string) => void): Promise<void> {
    this.running ??= this.unwind(log).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async unwind(log: (line: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (err) {
        // Keep going: a failed stop must not leave the later steps (temp dir, schema) behind.
        log(`cleanup: ${step.what} failed: ${(err as Error).message}`);
      }
    }
  }
}
