// The reminders' sweep: the reminders of unprocessed and in-progress requests, sent from
// each request's stored next reminder (`reminder_at`, src/db/deadlines.ts) instead of a
// workflow timer each. A timer per request cost the Temporal server a workflow task and
// about ten writes per reminder, and thousands due together queued for minutes; here a
// burst is a few indexed reads and the e-mails. The workflow keeps the timers that change
// its state (deletion, end of a hold, callbacks) and the deletion warning.
//
// Two loops in every worker. The wake takes the due reminders a batch at a time, renders
// their e-mails, then in one transaction settles each reminder still as it was read
// (`reminded_at` set, the next one computed; a transition or another worker's sweep that
// moved it first wins) and records its e-mails in the outbox: a worker that dies before the
// commit leaves the reminders due, after it the e-mails wait in the outbox. The delivery
// loop sends the outbox (`emails.retry_at` due), paced by REMINDERS_PER_SECOND: a burst
// wakes on time and reaches the SMTP server at the pace it accepts. Each attempt holds its
// e-mail for a lease; the outbox (src/mail/outbox.ts) sends each once under its key.
import { setTimeout as wait } from 'node:timers/promises';
import { logger } from '../ops/logger';
import { observeTimer } from '../ops/metrics';
import type { Db } from '../db/connection';
import { refreshDeadlines } from '../db/deadlines';
import { attemptsOf, markEmailFailed, outboxDue, recordOutboxEmails, retryEmailAt, type EmailDraft } from '../db/emails';
import type { AgentMail } from '../mail/agentMail';
import { batchMemo } from '../mail/memo';
import { AttemptTaken } from '../mail/outbox';
import type { TimerKind } from '../../workflows/lifecycle';

export interface SweepOptions {
  /** at most this many reminder e-mails sent per second by this worker; null: as fast as the lanes go */
  perSecond: number | null;
  /** pause between two sweeps that found nothing due */
  idleMs?: number;
  /** reminders rendered, and e-mails sent, at once (LANES, DELIVERY_LANES) */
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

/** How long a delivery attempt holds its e-mail before another worker may try it. */
const LEASE_MS = 60_000;
/**
 * Reminders rendered at once by the wake, each waiting mostly on its database's round trips
 * (about five, the reads of a batch shared): 640 woken a second on MariaDB, 2 cores, alone.
 */
const LANES = 8;
/**
 * E-mails sent at once: each waits on its SMTP server's replies and three commits (16 sent
 * 104 a second where 8 sent 60, bench 2026-12-02). With the wake's, a little over the MySQL
 * pool's 20 connections, which the activities share: the wake goes first when behind.
 */
const DELIVERY_LANES = 16;
/** Reminders woken per transaction. */
const BATCH = 200;
/** Outbox e-mails read per delivery round. */
const OUTBOX_BATCH = 500;
/** As the e-mail activities (workflows/mailOptions.ts): retried with a doubling wait up to 30 min, given up after 60 attempts (about a day). */
const RETRY = { firstMs: 5_000, maxMs: 30 * 60_000, attempts: 60 };

/** A wait that ends early when the sweep stops, and does not keep the process alive. */
const sleep = (ms: number, stopped: AbortSignal) => wait(ms, undefined, { signal: stopped, ref: false }).catch(() => undefined);

/** Runs `work` over `items`, `lanes` at a time, until done or stopped. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>, stopped?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stopped?.aborted) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

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

/**
 * The key of a reminder's e-mails: the reminder it follows (the last one, or the start of
 * the status), the same for every sweep that wakes it, never for the next one.
 */
const keyOf = (row: DueRow) => `${row.reference}:${KIND[row.status].email}:${row.reminded_at ?? row.status_since ?? row.updated_at}`;

/** Each reminder's e-mails, rendered; a reminder that cannot be is put off (a template error must not hold the batch behind it). */
async function draftsOf(db: Db, mail: AgentMail, rows: DueRow[], lanes: number): Promise<Map<number, EmailDraft[]>> {
  const drafts = new Map<number, EmailDraft[]>();
  const memo = batchMemo();
  await inLanes(rows, lanes, async (row) => {
    try {
      drafts.set(row.id, await mail.reminderDrafts({ requestId: row.id, status: row.status, kind: KIND[row.status].email, key: keyOf(row), assigneeId: row.assignee_id }, memo));
    } catch (err) {
      logger.warn({ err, reference: row.reference }, 'reminder not prepared; tried again in a minute');
      await db('requests').where({ id: row.id, version: row.version, reminder_at: row.reminder_at }).update({ reminder_at: Date.now() + 60_000 });
    }
  });
  return drafts;
}

/**
 * Settles the reminders still as they were read and records their e-mails in the outbox,
 * in one transaction; how many it settled. A reminder moved since (taken, closed, woken by
 * another sweep, its delays changed) is left alone: its row already says what comes next.
 */
async function settle(db: Db, rows: DueRow[], drafts: Map<number, EmailDraft[]>): Promise<number> {
  const now = Date.now();
  // In the order of their ids, as every sweep: two sweeps lock the same rows in the same order.
  const ready = rows.filter((row) => drafts.has(row.id)).sort((a, b) => a.id - b.id);
  const settled = await db.transaction(async (trx) => {
    const won: DueRow[] = [];
    for (const row of ready) {
      if ((await trx('requests').where({ id: row.id, version: row.version, reminder_at: row.reminder_at }).update({ reminded_at: now })) === 1) {
        won.push(row);
      }
    }
    if (won.length > 0) {
      await refreshDeadlines(trx, (q) => q.whereIn('id', won.map((row) => row.id)));
      await recordOutboxEmails(trx, won.flatMap((row) => drafts.get(row.id)!), now);
    }
    return won;
  });
  for (const row of settled) {
    observeTimer(KIND[row.status].timer, row.reminder_at, 1);
  }
  return settled.length;
}

/**
 * While the wake is behind, the deliveries wait: a reminder woken late is late for good,
 * its e-mail sent a little later is not (it is paced anyway). Deliveries share the worker's
 * process and database connections with the wake.
 */
export class WakeFirst {
  private held: Promise<void> | null = null;

  async during<T>(work: () => Promise<T>): Promise<T> {
    let release = () => undefined as void;
    this.held = new Promise<void>((resolve) => { release = resolve; });
    try {
      return await work();
    } finally {
      this.held = null;
      release();
    }
  }

  async wait(): Promise<void> {
    while (this.held) {
      await this.held;
    }
  }
}

/** How late the earliest due reminder may be before the wake goes first. */
const BEHIND_MS = 250;

/** Wakes the reminders due now (up to a batch): their e-mails recorded in the outbox; how many. */
export async function wakeOnce(db: Db, mail: AgentMail, opts: Pick<SweepOptions, 'lanes'> = {}, first = new WakeFirst()): Promise<number> {
  const now = Date.now();
  const rows = await dueReminders(db, now, BATCH);
  if (rows.length === 0) {
    return 0;
  }
  const wake = async () => settle(db, rows, await draftsOf(db, mail, rows, opts.lanes ?? LANES));
  return now - rows[0].reminder_at > BEHIND_MS ? first.during(wake) : wake();
}

/** Sends one outbox e-mail; false when another attempt holds it, or it failed (tried again later, or given up). */
async function deliver(db: Db, mail: AgentMail, id: number): Promise<boolean> {
  try {
    await mail.deliver(id, Date.now() + LEASE_MS);
    return true;
  } catch (err) {
    if (err instanceof AttemptTaken) {
      return false;
    }
    const attempts = await attemptsOf(db, id);
    logger.warn({ err, emailId: id, attempts }, 'reminder e-mail not sent; tried again later');
    if (attempts >= RETRY.attempts) {
      await markEmailFailed(db, id, String((err as Error).message));
    } else {
      await retryEmailAt(db, id, Date.now() + Math.min(RETRY.firstMs * 2 ** (Math.max(attempts, 1) - 1), RETRY.maxMs));
    }
    return false;
  }
}

/** Starts e-mails no faster than `perSecond`; a wait ends early when the sweep stops. */
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

/** Sends the outbox's due e-mails (up to a batch), paced; how many went. */
export async function drainOnce(db: Db, mail: AgentMail, opts: SweepOptions, stopped = new AbortController().signal, pace = pacer(opts.perSecond, stopped), first = new WakeFirst()): Promise<number> {
  const ids = await outboxDue(db, Date.now(), OUTBOX_BATCH);
  let sent = 0;
  await inLanes(ids, opts.lanes ?? DELIVERY_LANES, async (id) => {
    await first.wait();
    await pace();
    // Stopped while waiting its turn: left due, for the next worker.
    if (!stopped.aborted && await deliver(db, mail, id)) {
      sent += 1;
    }
  }, stopped);
  return sent;
}

/** One sweep, as a worker's two loops do it: wakes the reminders due now, then sends the outbox; how many reminders it woke. */
export async function sweepOnce(db: Db, mail: AgentMail, opts: SweepOptions): Promise<number> {
  const woken = await wakeOnce(db, mail, opts);
  await drainOnce(db, mail, opts);
  return woken;
}

export interface Sweeper {
  /** Lets the batch being woken commit and the e-mails being sent finish, then stops. */
  stop(): Promise<void>;
}

/** Runs `round` until stopped: again at once while it finds work, after `idleMs` or a poke otherwise. */
function loop(name: string, round: () => Promise<number>, idleMs: number, stopped: AbortSignal) {
  let poked: (() => void) | null = null;
  const done = (async () => {
    while (!stopped.aborted) {
      let found = 0;
      try {
        found = await round();
      } catch (err) {
        logger.warn({ err }, `reminders ${name} failed`);
      }
      if (found === 0) {
        await Promise.race([sleep(idleMs, stopped), new Promise<void>((resolve) => { poked = resolve; })]);
        poked = null;
      }
    }
  })();
  return { done, poke: () => poked?.() };
}

/** Wakes and sends until stopped: at once while reminders are due, every `idleMs` (1 s) otherwise. */
export function startSweeper(db: Db, mail: AgentMail, opts: SweepOptions): Sweeper {
  const stopping = new AbortController();
  const pace = pacer(opts.perSecond, stopping.signal);
  const idleMs = opts.idleMs ?? 1000;
  const first = new WakeFirst();
  const delivery = loop('delivery', () => drainOnce(db, mail, opts, stopping.signal, pace, first), idleMs, stopping.signal);
  const wake = loop('wake', async () => {
    const woken = await wakeOnce(db, mail, opts, first);
    if (woken > 0) {
      delivery.poke();
    }
    return woken;
  }, idleMs, stopping.signal);
  return {
    async stop() {
      stopping.abort();
      await Promise.all([wake.done, delivery.done]);
    },
  };
}
