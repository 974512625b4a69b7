// Prometheus metrics of this process (prom-client's default registry): the web's and the
// worker's, one registry for both when `guichet start` runs them in one process. The
// README lists them. Labels take few values (route patterns, action names): never a
// reference, an agent or anything a citizen typed.
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';
import { CommandError } from '../commands/errors';
import type { Db } from '../db/connection';
import { outboxFigures } from '../db/opsFigures';
import { logger } from './logger';
import { temporalCoreMetrics } from './temporalMetrics';
import { withTimeout } from './timeout';

let defaultsCollected = false;

/** The process's own figures (CPU, memory, event loop lag, handles), once per process. */
function collectProcessMetrics(): void {
  if (!defaultsCollected) {
    defaultsCollected = true;
    collectDefaultMetrics();
  }
}

export const httpDuration = new Histogram({
  name: 'guichet_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const agentActions = new Counter({
  name: 'guichet_agent_actions_total',
  help: 'Actions of agents on requests, by kind, channel (web page, API, bulk job) and outcome',
  labelNames: ['action', 'channel', 'outcome'] as const,
});

export const workflowStartFailures = new Counter({
  name: 'guichet_workflow_start_failures_total',
  help: 'Workflow starts that failed (Temporal unreachable, refused), by workflow type',
  labelNames: ['workflow'] as const,
});

export const timerLateness = new Histogram({
  name: 'guichet_timer_lateness_seconds',
  help: 'Time between a workflow timer\'s due time and the first attempt of the activity it fires, by timer',
  labelNames: ['timer'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
});

const emails = new Gauge({
  name: 'guichet_emails',
  help: 'E-mails in the outbox, by status (PENDING, COMMITTING, SENT, FAILED), read on scrape',
  labelNames: ['status'] as const,
});

const oldestUnsent = new Gauge({
  name: 'guichet_email_oldest_unsent_age_seconds',
  help: 'Age of the oldest e-mail not sent yet (PENDING or COMMITTING); 0 when none, read on scrape',
});

const webhookDeliveries = new Gauge({
  name: 'guichet_webhook_deliveries',
  help: 'Webhook deliveries pending or failed (given up), read on scrape',
  labelNames: ['status'] as const,
});

const scrapeFailures = new Counter({
  name: 'guichet_metrics_database_failures_total',
  help: 'Scrapes whose database figures could not be read (the outbox and webhook gauges are then absent)',
});

export type ActionChannel = 'web' | 'api' | 'bulk';
export type ActionOutcome = 'accepted' | 'refused' | 'unavailable' | 'failed';

/** What a command's end says: done, refused (rights, input, status, a colleague first), Temporal or the database down. */
export function outcomeOf(err: unknown): ActionOutcome {
  if (err === undefined) {
    return 'accepted';
  }
  if (err instanceof CommandError) {
    return err.status === 503 ? 'unavailable' : 'refused';
  }
  return 'failed';
}

/** Runs an agent's action and counts how it ended. */
export async function countAction<T>(action: string, channel: ActionChannel, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    agentActions.inc({ action, channel, outcome: 'accepted' });
    return result;
  } catch (err) {
    agentActions.inc({ action, channel, outcome: outcomeOf(err) });
    throw err;
  }
}

/** A workflow timer fired: `dueAt` is when it was due (epoch ms), observed on the first attempt only. */
export function observeTimer(timer: string, dueAt: number, attempt: number): void {
  if (attempt === 1 && Number.isFinite(dueAt)) {
    timerLateness.observe({ timer }, Math.max(0, Date.now() - dueAt) / 1000);
  }
}

/** A database that does not answer must not hold the scrape. */
const SCRAPE_DATABASE_MS = 2000;

/** The outbox and webhook gauges, from a few indexed counts. */
async function readDatabaseFigures(db: Db): Promise<void> {
  try {
    const figures = await withTimeout(outboxFigures(db, Date.now()), SCRAPE_DATABASE_MS);
    emails.reset();
    for (const [status, count] of Object.entries(figures.emailsByStatus)) {
      emails.set({ status }, count);
    }
    oldestUnsent.set(figures.oldestUnsentAgeMs / 1000);
    webhookDeliveries.reset();
    webhookDeliveries.set({ status: 'pending' }, figures.webhooksPending);
    webhookDeliveries.set({ status: 'failed' }, figures.webhooksFailed);
  } catch (err) {
    // A stale figure would say the outbox is fine: better absent.
    emails.reset();
    oldestUnsent.reset();
    webhookDeliveries.reset();
    scrapeFailures.inc();
    logger.warn({ err }, 'metrics: the database figures could not be read');
  }
}

/** The text Prometheus scrapes: this process's metrics, then the Temporal SDK's (forwarded). */
export async function metricsText(db: Db): Promise<{ contentType: string; body: string }> {
  collectProcessMetrics();
  await readDatabaseFigures(db);
  const own = await register.metrics();
  const core = await temporalCoreMetrics();
  return { contentType: register.contentType, body: core ? `${own}\n${core}` : own };
}
