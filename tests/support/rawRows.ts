// Rows written straight into the database, for the tests whose point needs what no
// command makes: a request filed in the past (statistics, lists sorted by age), a
// projection as the workflow would have left it days ago, a filing whose process died
// before starting its workflow. Each says what it stands for; everything else goes
// through the commands (./factories.ts).
import { attachmentStore } from '../../src/attachments/store';
import { refreshDeadlines } from '../../src/db/deadlines';
import { scopeOfRequest } from '../../src/db/eventScope';
import { insertRequest, purgeRequest, type Channel, type Citizen } from '../../src/db/requests';
import type { Harness } from './harness';
import type { Filed } from './factories';

export interface PastFiling {
  formType?: string;
  citizen: Citizen;
  channel?: Channel;
  /** when it was filed (epoch ms) */
  at: number;
}

/** The rows of a request filed at `at`, as the submit command writes them; no workflow runs behind it. */
async function insertFiling(h: Harness, f: PastFiling): Promise<Filed> {
  const formType = await h.db('form_types').where({ slug: f.formType ?? 'acte-naissance' }).first('id', 'service_id');
  const r = await insertRequest(h.db, {
    prefix: h.config.referencePrefix, formTypeId: formType.id, serviceId: formType.service_id,
    citizen: f.citizen, answers: {}, channel: f.channel ?? 'web', now: f.at,
  });
  return { ...r, id: Number(r.id) };
}

/** A request filed at `at` (in the past), marked started so that the sweep leaves it alone; no workflow runs behind it. */
export async function filedAt(h: Harness, f: PastFiling): Promise<Filed> {
  const filed = await insertFiling(h, f);
  await h.db('requests').where({ id: filed.id }).update({ workflow_started: true });
  return filed;
}

/** What a process that died right after writing a filing leaves behind: its rows, no workflow, not marked started. */
export const orphanFiling = (h: Harness, f: PastFiling): Promise<Filed> => insertFiling(h, f);

/** Projection columns as the workflow would have written them at past dates (status, assignee, taken_at…). */
export async function projectionWas(h: Harness, requestId: number, columns: Record<string, unknown>): Promise<void> {
  if (Object.keys(columns).length === 0) {
    return;
  }
  await h.db('requests').where({ id: requestId }).update(columns);
  await refreshDeadlines(h.db, (q) => q.where({ id: requestId }));
  if ('group_id' in columns) {
    await h.db('events').where({ request_id: requestId }).update({ group_id: columns.group_id }); // as a transfer moves them
  }
}

/** A milestone of the history at a past date. */
export async function eventWas(h: Harness, requestId: number, e: { seq: number; type: string; agentId: number | null; at: number; wrapUpCode?: string }): Promise<void> {
  const { version: _version, ...scope } = await scopeOfRequest(h.db, requestId);
  await h.db('events').insert({ ...scope, request_id: requestId, seq: e.seq, type: e.type, agent_id: e.agentId, at: e.at, ...(e.wrapUpCode ? { wrap_up_code: e.wrapUpCode } : {}) });
}

/** An e-mail about the request sent at a past date (no content: only its kind counts). */
export async function emailWasSent(h: Harness, requestId: number, e: { key: string; kind: string; at: number }): Promise<void> {
  await h.db('emails').insert({ idempotency_key: e.key, request_id: requestId, kind: e.kind, status: 'SENT', created_at: e.at, sent_at: e.at });
}

/** A request closed and purged, as its workflow leaves it at the end, without running it. */
export async function closedAndPurged(h: Harness, requestId: number, closingCode = 'TRAITEE'): Promise<void> {
  const now = Date.now();
  await projectionWas(h, requestId, { status: 'CLOTUREE', closing_code: closingCode, closed_at: now });
  await purgeRequest(h.db, attachmentStore(h.config), requestId, now);
}

/** The id of an agent, by code. */
export async function agentIdOf(h: Harness, code: string): Promise<number> {
  return Number((await h.db('agents').where({ code }).first('id')).id);
}

/** A copy of a webhook delivery as a crash after its commit leaves it: PENDING, its workflow never started (2 min ago). */
export async function deliveryWhoseStartWasLost(h: Harness, copiedId: number): Promise<number> {
  const { id: _copied, ...lost } = await h.db('webhook_deliveries').where({ id: copiedId }).first();
  const [id] = await h.db('webhook_deliveries').insert({ ...lost, seq: 99, status: 'PENDING', workflow_started: false, attempts: 0, delivered_at: null, created_at: Date.now() - 120_000 });
  return Number(id);
}
