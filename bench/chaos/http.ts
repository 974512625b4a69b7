// How the chaos run's clients talk to Guichet: as a real client would, they retry what
// failed for a reason that may pass (no answer, a timeout, 503, and 500, which a client
// cannot tell from a passing fault), with the same body and the same Idempotency-Key,
// and give up after a while. Every answer is counted, 500s above all.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Answer {
  status: number;
  body: any;
  /** answered from an Idempotency-Key (the `Idempotent-Replayed: true` header) */
  replayed?: boolean;
}

/** What the clients saw, over the whole run. */
export class HttpStats {
  calls = 0;
  /** answers by status code (0: no answer: connection refused or reset, timeout) */
  readonly byStatus = new Map<number, number>();
  retries = 0;
  /** submissions answered from their Idempotency-Key: a retry whose first attempt had filed */
  replays = 0;
  /** calls sent and not answered yet, by `METHOD /path` with the reference left out: call number → when it was sent */
  private readonly pending = new Map<string, Map<number, number>>();
  private nextCall = 0;

  /** Counts a call as sent; the returned function counts it as answered. */
  sent(route: string): () => void {
    const id = this.nextCall++;
    const calls = this.pending.get(route) ?? new Map<number, number>();
    this.pending.set(route, calls.set(id, performance.now()));
    return () => calls.delete(id);
  }

  /** How many calls of `route` are in flight, and for how long the oldest one has been (ms). */
  inFlight(route: string): { count: number; oldestMs: number } {
    const starts = [...(this.pending.get(route)?.values() ?? [])];
    return { count: starts.length, oldestMs: starts.length ? performance.now() - Math.min(...starts) : 0 };
  }
  /** the 500 answers, with what was asked, for the findings */
  readonly errors500: { at: number; what: string; body: string }[] = [];

  count(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  get answers500(): number {
    return this.byStatus.get(500) ?? 0;
  }

  describe(): string {
    return [...this.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? 'no answer' : s}×${n}`).join(' ');
  }
}

/** Worth retrying: nothing came back, or the service said it is unavailable or failed. */
export const retryable = (status: number): boolean => status === 0 || status === 503 || status === 500 || status === 502 || status === 504;

export class Http {
  constructor(
    private readonly baseUrl: string,
    readonly stats: HttpStats,
    /**
     * One attempt gives up after this, as a browser or a reverse proxy (60 s) would: longer
     * than the web's own bound on an action (UPDATE_DEADLINE_MS, 30 s), so that the service
     * answers first, with its 503, when Temporal is slow.
     */
    private readonly attemptTimeoutMs = 60_000,
  ) {}

  /** One attempt; status 0 when there was no answer. */
  async once(method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    this.stats.calls += 1;
    const answered = this.stats.sent(`${method} ${url.replace(/\/requests\/[^/]+/, '/requests/:ref')}`);
    let answer: Answer;
    try {
      const res = await fetch(`${this.baseUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      answer = { status: res.status, body: parsed, replayed: res.headers.get('idempotent-replayed') === 'true' };
      if (answer.replayed) {
        this.stats.replays += 1;
      }
    } catch (err) {
      answer = { status: 0, body: String((err as Error).cause ?? (err as Error).message) };
    } finally {
      answered();
    }
    this.stats.count(answer.status);
    if (answer.status === 500) {
      this.stats.errors500.push({ at: Date.now(), what: `${method} ${url}`, body: JSON.stringify(answer.body).slice(0, 300) });
    }
    return answer;
  }

  /**
   * Retries while the answer is retryable, with a growing pause (0.5 s to 5 s, jittered),
   * until `giveUpMs` have passed. Returns the last answer and the number of attempts.
   */
  async withRetries(
    method: string, url: string, token: string, body: unknown, headers: Record<string, string>, giveUpMs: number,
  ): Promise<Answer & { attempts: number; statuses: number[] }> {
    const deadline = Date.now() + giveUpMs;
    let pause = 500;
    const statuses: number[] = [];
    for (let attempts = 1; ; attempts += 1) {
      const answer = await this.once(method, url, token, body, headers);
      statuses.push(answer.status);
      if (!retryable(answer.status) || Date.now() + pause > deadline) {
        return { ...answer, attempts, statuses };
      }
      this.stats.retries += 1;
      await sleep(pause * (0.75 + Math.random() / 2));
      pause = Math.min(pause * 2, 5_000);
    }
  }
}
