// The reminders' sweep: the reminders of unprocessed and in-progress requests, sent from
// each request's stored next reminder (`reminder_at`, src/db/deadlines.ts) instead of a
// workflow timer each. A timer per request cost the Temporal server a workflow task and
// about ten writes per reminder, and thousands due together queued for minutes; here a
// burst is a few indexed reads and the e-mails. The workflow keeps the timers that change
// its state (deletion, end of a hold, callbacks) and the deletion warning.
//
// Every worker sweeps. A reminder is claimed by moving its `reminder_at` a lease ahead
// (only one sweep's conditional update wins), sent, then settled: `reminded_at` set and the
// next one computed. A worker that dies in between leaves the lease to expire, and the
// next sweep sends the same e-mails under the same keys: the outbox sends each once.
import { logger } from '../ops/logger';
import { observeTimer } from '../ops/metrics';
import type { Db } from '../db/connection';
import { refreshDeadlines } from '../db/deadlines';
import { markEmailFailed } from '../db/emails';
import type { AgentMail } from '../mail/agentMail';
import type { TimerKind } from '../../workflows/lifecycle';

export interface SweepOptions {
  /** at most this many reminders started per second by this worker; null: as fast as the lanes go */
  perSecond: number | null;
  /** pause between two sweeps that found nothing due */
  idleMs?: number;
  /** reminders sent at once */
  lanes?: number;
}

interface DueRow {
  id: number;
  reference: string;
  status: 'NON_TRAITEE' | 'EN_COURS';
  assignee_id: number | null;
  version: number;
  reminder_at: number;
  reminded_at: number | null;
  status_since: number | null;
  updated_at: number;
}

const KIND = {
  NON_TRAITEE: { timer: 'UNPROCESSED_REMINDER', email: 'REMINDER_UNPROCESSED' },
  EN_COURS: { timer: 'IN_PROGRESS_REMINDER', email: 'REMINDER_IN_PROGRESS' },
} as const satisfies Record<DueRow['status'], { timer: TimerKind; email: string }>;

/** How long a claimed reminder is left to its sweep before another may send it. */
const LEASE_MS = 60_000;
/** Rows read per sweep. */
const BATCH = 500;
/** As the e-mail activities (workflows/mailOptions.ts): retried with a doubling wait up to 30 min, given up after 60 attempts (about a day). */
const RETRY = { firstMs: 5_000, maxMs: 30 * 60_000, attempts: 60 };

const sleep = (ms: number, stopped: AbortSignal) => new Promise<void>((resolve) => {
  const done = () => {
    clearTimeout(timer);
    stopped.removeEventListener('abort', done);
    resolve();
  };
  const timer = setTimeout(done, ms);
  timer.unref();
  stopped.addEventListener('abort', done);
});

/** The reminders due at `now`, earliest first. */
async function dueReminders(db: Db, now: number, limit: number): Promise<DueRow[]> {
  const rows: DueRow[] = await db('requests').where('reminder_at', '<=', now).orderBy('reminder_at').limit(limit)
    .select('id', 'reference', 'status', 'assignee_id', 'version', 'reminder_at', 'reminded_at', 'status_since', 'updated_at');
  return rows.map((r) => ({
    ...r, id: Number(r.id), version: Number(r.version), reminder_at: Number(r.reminder_at),
    assignee_id: r.assignee_id === null ? null : Number(r.assignee_id),
    reminded_at: r.reminded_at === null ? null : Number(r.reminded_at),
    status_since: r.status_since === null ? null : Number(r.status_since), updated_at: Number(r.updated_at),
  }));
}

/** Moves the reminder a lease ahead, if no other sweep did: true when this one has it. */
async function claim(db: Db, row: DueRow, now: number): Promise<boolean> {
  return (await db('requests').where({ id: row.id, reminder_at: row.reminder_at, version: row.version }).update({ reminder_at: now + LEASE_MS })) === 1;
}

/** Sent (or given up): the next reminder counts from now, unless the request has moved on meanwhile (its transition computed it). */
async function settle(db: Db, row: DueRow, at: number): Promise<void> {
  await db.transaction(async (trx) => {
    const current = (q: ReturnType<typeof trx>) => q.where({ id: row.id, version: row.version });
    if ((await current(trx('requests')).update({ reminded_at: at })) === 1) {
      await refreshDeadlines(trx, current);
    }
  });
}

/**
 * The key of a reminder's e-mails: the reminder it follows (the last one, or the start of
 * the status), the same for every sweep that sends it, never for the next one.
 */
const keyOf = (row: DueRow) => `${row.reference}:${KIND[row.status].email}:${row.reminded_at ?? row.status_since ?? row.updated_at}`;

async function remind(db: Db, mail: AgentMail, row: DueRow): Promise<void> {
  const kind = KIND[row.status];
  observeTimer(kind.timer, row.reminder_at, 1);
  const key = keyOf(row);
  try {
    if (row.status === 'NON_TRAITEE') {
      await mail.notifyGroup({ requestId: row.id, kind: kind.email, key, onlyIfStatus: row.status });
    } else if (row.assignee_id !== null) {
      await mail.notifyOne({ requestId: row.id, kind: kind.email, key, agentId: row.assignee_id, onlyIfStatus: row.status });
    }
  } catch (err) {
    await retryLater(db, row, key, err as Error);
    return;
  }
  await settle(db, row, Date.now());
}

/** An e-mail that could not go: tried again later, as an activity would be; past the last attempt, marked failed and the reminder settled. */
async function retryLater(db: Db, row: DueRow, key: string, err: Error): Promise<void> {
  const pending: { id: number; attempts: number }[] = await db('emails').where('idempotency_key', 'like', `${key}%`).where({ status: 'PENDING' }).select('id', 'attempts');
  const attempts = Math.max(1, ...pending.map((e) => Number(e.attempts)));
  logger.warn({ err, reference: row.reference, attempts }, 'reminder not sent; tried again later');
  if (attempts >= RETRY.attempts) {
    for (const e of pending) {
      await markEmailFailed(db, Number(e.id), String(err.message));
    }
    await settle(db, row, Date.now());
    return;
  }
  const wait = Math.min(RETRY.firstMs * 2 ** (attempts - 1), RETRY.maxMs);
  await db('requests').where({ id: row.id, version: row.version }).update({ reminder_at: Date.now() + wait });
}

/** Starts reminders no faster than `perSecond`; a wait ends early when the sweep stops. */
function pacer(perSecond: number | null, stopped: AbortSignal): () => Promise<void> {
  let next = 0;
  return async () => {
    if (perSecond === null) {
      return;
    }
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + 1000 / perSecond;
    if (at > now) {
      await sleep(at - now, stopped);
    }
  };
}

/** One sweep: claims and sends the reminders due now (up to a batch); how many it sent. */
export async function sweepOnce(db: Db, mail: AgentMail, opts: SweepOptions, stopped = new AbortController().signal, pace = pacer(opts.perSecond, stopped)): Promise<number> {
  const rows = await dueReminders(db, Date.now(), BATCH);
  let next = 0;
  let sent = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next];
      next += 1;
      await pace();
      if (stopped.aborted) {
        return; // left due: the next sweep, here or in another worker, sends it
      }
      if (await claim(db, row, Date.now())) {
        await remind(db, mail, row);
        sent += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.lanes ?? 8 }, lane));
  return sent;
}

export interface Sweeper {
  /** Lets the sweep in progress finish (its e-mails sent and settled), then stops. */
  stop(): Promise<void>;
}

/** Sweeps until stopped: at once while reminders are due, every `idleMs` (1 s) otherwise. */
export function startSweeper(db: Db, mail: AgentMail, opts: SweepOptions): Sweeper {
  const stopping = new AbortController();
  const pace = pacer(opts.perSecond, stopping.signal);
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let found = 0;
      try {
        found = await sweepOnce(db, mail, opts, stopping.signal, pace);
      } catch (err) {
        logger.warn({ err }, 'reminders sweep failed');
      }
      if (found === 0) {
        await sleep(opts.idleMs ?? 1000, stopping.signal);
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
