// Watches, once a second, when the personal data of each closed request is gone: the
// purge deletes it and sets requests.purged_at in one transaction, so the first poll that
// sees purged_at set is when the data was gone (at most a poll late). The delay counts from
// the moment the client was told the close happened.
import type { Db } from '../../src/db/connection';
import type { Flow } from './flows';

export interface Purge {
  closedAt: number;
  goneAt: number | null;
}

/** The moment a flow's close was known to have happened, if it was. */
export function closedAt(flow: Flow): number | null {
  const close = flow.actions.find((a) => a.name === 'close' && (a.outcome === 'acked' || a.outcome === 'confirmed'));
  return close ? close.at : null;
}

export class PurgeWatch {
  readonly purges = new Map<string, Purge>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(private readonly db: Db, private readonly flows: Flow[], private readonly log: (line: string) => void) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.polling) {
        this.polling = true;
        this.poll().catch((err: Error) => this.log(`purge watch: ${err.message}`)).finally(() => {
          this.polling = false;
        });
      }
    }, 1000);
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  /** closed requests whose data is not gone yet */
  get pending(): string[] {
    return [...this.purges.entries()].filter(([, p]) => p.goneAt === null).map(([ref]) => ref);
  }

  async poll(): Promise<void> {
    for (const flow of this.flows) {
      const at = closedAt(flow);
      if (at !== null && flow.reference && !this.purges.has(flow.reference)) {
        this.purges.set(flow.reference, { closedAt: at, goneAt: null });
      }
    }
    const pending = this.pending;
    for (let i = 0; i < pending.length; i += 500) {
      const rows: { reference: string }[] = await this.db('requests')
        .whereIn('reference', pending.slice(i, i + 500)).whereNotNull('purged_at').select('reference');
      const now = Date.now();
      for (const { reference } of rows) {
        this.purges.get(reference)!.goneAt = now;
      }
    }
  }
}
