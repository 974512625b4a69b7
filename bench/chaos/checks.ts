// After the load has settled: what the clients were told against what the database, the
// workflows and the SMTP server hold. Each finding names its request, so that a failure
// can be followed in the logs.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Db } from '../../src/db/connection';
import { stateQuery, workflowIdOf, type Status } from '../../workflows/definitions';
import { EVENT_OF, STATUS_AFTER, type Flow } from './flows';
import type { HttpStats } from './http';
import type { ReceivedMail } from './mailbox';
import type { Purge } from './purgeWatch';

export type Category = 'lost' | 'duplicate' | 'missingEmails' | 'stuck' | 'purge' | 'info';

export interface Finding {
  category: Category;
  reference: string | null;
  detail: string;
}

export interface Summary {
  requests: number;
  lost: number;
  duplicate: number;
  missingEmails: number;
  stuck: number;
  answers500: number;
  purgeMaxSeconds: number;
  purgeLate: number;
}

/** The personal data a purge must remove (one row or more per request). */
const PERSONAL_TABLES = ['request_personal', 'comments', 'email_contents', 'messages', 'attachments'] as const;
const CITIZEN_KINDS = new Set(['RECEIPT', 'ACKNOWLEDGEMENT', 'CLOSING']);
/** e-mails an agent's action prepares before asking the workflow (the others, the workflow creates itself) */
const CITIZEN_DRAFTS = new Set(['ACKNOWLEDGEMENT', 'CLOSING']);
export const PURGE_LIMIT_S = 60;

/** The Message-ID Guichet gives an e-mail (src/mail/outbox.ts): its idempotency key, made header-safe. */
export const messageIdOf = (key: string) => `<${key.replace(/[^A-Za-z0-9.:-]/g, '_')}@guichet>`;

interface RequestRow { id: number; reference: string; status: Status; workflow_started: number | boolean; purged_at: number | null }
interface EmailRow { id: number; idempotency_key: string; request_id: number | null; kind: string; agent_id: number | null; status: string; attempts: number; error: string | null }

/** Rows of `table` whose `column` is in `values`, 500 at a time (SQLite's variable limit). */
async function whereInChunks<T>(db: Db, table: string, column: string, values: unknown[], columns: string[]): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < values.length; i += 500) {
    rows.push(...((await db(table).whereIn(column, values.slice(i, i + 500) as readonly string[]).select(columns)) as T[]));
  }
  return rows;
}

/** Runs `fn` over `items`, `width` at a time. */
async function pooled<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}

/** The statuses a request may be in after its client's journey: one, or two when its last step's outcome is unknown. */
function expectedStatuses(flow: Flow): Status[] {
  let status: Status = 'NON_TRAITEE';
  for (const action of flow.actions) {
    if (action.outcome === 'acked' || action.outcome === 'confirmed') {
      status = STATUS_AFTER[action.name];
    } else if (action.outcome === 'gaveUp') {
      return [status, STATUS_AFTER[action.name]];
    }
  }
  return [status];
}

interface WorkflowView {
  status: string;
  /** activities being retried: what keeps a workflow from finishing */
  pending: string[];
  state: Status | null;
  /** the e-mails and comments the Updates it accepted refer to */
  emailIds: number[];
  commentIds: number[];
}

/** What the workflow accepted, read from its history: the e-mail of each take and close, the comment of each hold. */
async function referencesOf(handle: ReturnType<Client['workflow']['getHandle']>): Promise<Pick<WorkflowView, 'emailIds' | 'commentIds'>> {
  const emailIds: number[] = [];
  const commentIds: number[] = [];
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const payload = input?.args?.payloads?.[0];
    if (!input || !payload) {
      continue;
    }
    const arg = defaultPayloadConverter.fromPayload<{ emailId?: number | null; commentId?: number | null }>(payload);
    if ((input.name === 'take' || input.name === 'close') && typeof arg.emailId === 'number') {
      emailIds.push(arg.emailId);
    }
    if (input.name === 'hold' && typeof arg.commentId === 'number') {
      commentIds.push(arg.commentId);
    }
  }
  return { emailIds, commentIds };
}

async function describeWorkflow(client: Client, reference: string): Promise<WorkflowView> {
  const handle = client.workflow.getHandle(workflowIdOf(reference));
  try {
    const d = await handle.describe();
    const pending = (d.raw.pendingActivities ?? [])
      .filter((a) => (a.attempt ?? 1) > 1)
      .map((a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? '?'}`);
    const state = d.status.name === 'RUNNING' ? (await handle.query(stateQuery)).status : null;
    return { status: d.status.name, pending, state, ...(await referencesOf(handle)) };
  } catch (err) {
    return { status: `unknown (${(err as Error).message.slice(0, 120)})`, pending: [], state: null, emailIds: [], commentIds: [] };
  }
}

export interface CheckInput {
  db: Db;
  client: Client;
  flows: Flow[];
  mails: ReceivedMail[];
  purges: Map<string, Purge>;
  stats: HttpStats;
}

export async function check({ db, client, flows, mails, purges, stats }: CheckInput): Promise<{ summary: Summary; findings: Finding[] }> {
  const findings: Finding[] = [];
  const add = (category: Category, reference: string | null, detail: string) => findings.push({ category, reference, detail });

  const requests: RequestRow[] = await db('requests').select('id', 'reference', 'status', 'workflow_started', 'purged_at');
  const byReference = new Map(requests.map((r) => [r.reference, r]));
  const referenceOfId = new Map(requests.map((r) => [Number(r.id), r.reference]));
  const acked = flows.filter((f) => f.submit?.outcome === 'acked' && f.reference);
  const views = await pooled(requests.map((r) => r.reference), 6, (ref) => describeWorkflow(client, ref));
  const viewOf = new Map(requests.map((r, i) => [r.reference, views[i]]));
  const referenced = new Map<number, string>(requests.flatMap((r) => viewOf.get(r.reference)!.emailIds.map((id) => [id, r.reference] as [number, string])));

  // Lost: a 201 or a 200 whose effect is not there.
  const events: { request_id: number; type: string }[] = await db('events').select('request_id', 'type');
  const eventCount = new Map<string, number>();
  for (const e of events) {
    const key = `${referenceOfId.get(Number(e.request_id))}:${e.type}`;
    eventCount.set(key, (eventCount.get(key) ?? 0) + 1);
  }
  for (const flow of acked) {
    const ref = flow.reference!;
    if (!byReference.has(ref)) {
      add('lost', ref, `submission answered 201 but the request does not exist (client ${flow.index})`);
      continue;
    }
    const done = new Map<string, number>();
    for (const action of flow.actions.filter((a) => a.outcome === 'acked')) {
      const type = EVENT_OF[action.name];
      done.set(type, (done.get(type) ?? 0) + 1);
    }
    for (const [type, n] of done) {
      if ((eventCount.get(`${ref}:${type}`) ?? 0) < n) {
        add('lost', ref, `${n} action(s) ${type} answered 200 but ${eventCount.get(`${ref}:${type}`) ?? 0} such event(s) recorded`);
      }
    }
  }

  // Requests nobody was given: filed twice for one submission, or filed without a 201.
  const given = new Set(acked.map((f) => f.reference));
  const others = requests.filter((r) => !given.has(r.reference));
  const personal: { request_id: number; email: string | null }[] = await whereInChunks(db, 'request_personal', 'request_id', others.map((r) => r.id), ['request_id', 'email']);
  const flowOfEmail = new Map(flows.map((f) => [f.email, f]));
  for (const r of others) {
    const email = personal.find((p) => Number(p.request_id) === Number(r.id))?.email ?? null;
    const flow = email ? flowOfEmail.get(email) : undefined;
    const started = Boolean(Number(r.workflow_started));
    if (flow?.submit?.outcome === 'acked') {
      add('duplicate', r.reference, `filed twice for client ${flow.index}: it was answered ${flow.reference} (${flow.submit.attempts} attempt(s)); workflow started: ${started}`);
    } else {
      add('info', r.reference, `filed but never answered 201 (client ${flow?.index ?? '?'}: ${flow?.submit?.last ?? 'unknown'}); workflow started: ${started}`);
    }
  }

  // E-mails: what the database says against what the SMTP server received.
  const emails: EmailRow[] = await db('emails').select('id', 'idempotency_key', 'request_id', 'kind', 'agent_id', 'status', 'attempts', 'error');
  const received = new Map<string, ReceivedMail[]>();
  for (const m of mails) {
    received.set(m.messageId, [...(received.get(m.messageId) ?? []), m]);
  }
  const known = new Set<string>();
  /** drafts of unaccepted attempts, by status */
  const drafts = new Map<string, number>();
  const perKind = new Map<string, number>();
  const rowsReceived = new Map<string, number>();
  for (const e of emails) {
    const id = messageIdOf(e.idempotency_key);
    known.add(id);
    const copies = received.get(id)?.length ?? 0;
    const ref = e.request_id === null ? null : referenceOfId.get(Number(e.request_id)) ?? null;
    const kindKey = `${ref}:${e.kind}${CITIZEN_KINDS.has(e.kind) ? '' : `:${e.agent_id}`}`;
    perKind.set(kindKey, (perKind.get(kindKey) ?? 0) + copies);
    rowsReceived.set(kindKey, (rowsReceived.get(kindKey) ?? 0) + (copies > 0 ? 1 : 0));
    if (copies > 1) {
      add('duplicate', ref, `e-mail ${e.id} ${e.kind} received ${copies} times (${id})`);
    }
    if (e.status === 'SENT' && copies === 0) {
      add('missingEmails', ref, `e-mail ${e.id} ${e.kind} is SENT (${e.attempts} attempt(s)) but the SMTP server never received it`);
    }
    if (CITIZEN_DRAFTS.has(e.kind) && !referenced.has(Number(e.id))) {
      // The draft of an attempt the workflow never accepted: it must never go out.
      drafts.set(e.status, (drafts.get(e.status) ?? 0) + 1);
      if (copies > 0) {
        add('duplicate', ref, `e-mail ${e.id} ${e.kind} was sent although no accepted action refers to it (${e.status})`);
      }
    } else if (e.status !== 'SENT') {
      add('stuck', ref, `e-mail ${e.id} ${e.kind} still ${e.status} after ${e.attempts} attempt(s)${e.error ? `: ${e.error}` : ''}${copies ? ` (received ${copies}×)` : ''}`);
    }
  }
  for (const [key, rows] of rowsReceived) {
    if (rows > 1 && !key.startsWith('null:')) {
      add('duplicate', key.split(':')[0], `${rows} different ${key.split(':').slice(1).join(':')} e-mails received for one request`);
    }
  }
  const emailIds = new Set(emails.map((e) => Number(e.id)));
  for (const [id, ref] of referenced) {
    if (!emailIds.has(id)) {
      add('lost', ref, `the workflow accepted an action whose e-mail ${id} does not exist any more`);
    }
  }
  const comments = new Set((await db('comments').select('id')).map((c: { id: number }) => Number(c.id)));
  for (const r of requests.filter((x) => x.purged_at === null)) {
    for (const id of viewOf.get(r.reference)!.commentIds.filter((c) => !comments.has(c))) {
      add('lost', r.reference, `the workflow accepted a hold whose reason (comment ${id}) does not exist any more`);
    }
  }
  for (const [status, n] of drafts) {
    add('info', null, `${n} e-mail draft(s) of unaccepted attempts, ${status} (never sent, as they must not be)`);
  }
  for (const [id, copies] of received) {
    if (!known.has(id)) {
      add('info', null, `received ${copies.length}× an e-mail the database does not know: ${id} to ${copies[0].to.join(', ')}`);
    }
  }
  // Every e-mail a journey should have produced, received once.
  for (const flow of acked) {
    const ref = flow.reference!;
    const expect = (kind: string, wanted: boolean | null) => {
      const copies = perKind.get(`${ref}:${kind}`) ?? 0;
      if (wanted === true && copies === 0) {
        add('missingEmails', ref, `no ${kind} e-mail received`);
      }
      if (wanted === false && copies > 0) {
        add('info', ref, `${kind} e-mail received although the agent chose none`);
      }
    };
    expect('RECEIPT', true);
    for (const [name, kind] of [['take', 'ACKNOWLEDGEMENT'], ['close', 'CLOSING']] as const) {
      const action = flow.actions.find((a) => a.name === name);
      const happened = action && (action.outcome === 'acked' || action.outcome === 'confirmed');
      expect(kind, action?.outcome === 'gaveUp' ? null : Boolean(happened && action.notify));
    }
  }

  // Stuck: not in the state the client's last accepted action implies, or not finished.
  for (const r of requests) {
    const view = viewOf.get(r.reference)!;
    for (const p of view.pending) {
      add('stuck', r.reference, `workflow ${view.status}, activity failing: ${p}`);
    }
    if (!Number(r.workflow_started)) {
      add('stuck', r.reference, 'its workflow was never started');
    }
  }
  for (const flow of acked) {
    const r = byReference.get(flow.reference!);
    if (!r) {
      continue;
    }
    const view = viewOf.get(r.reference)!;
    const expected = expectedStatuses(flow);
    const journey = flow.actions.map((a) => `${a.name}:${a.outcome}`).join(' ') || 'submitted';
    if (!expected.includes(r.status)) {
      add('stuck', r.reference, `status ${r.status}, expected ${expected.join(' or ')} (${journey})`);
    }
    if (r.status === 'CLOTUREE') {
      if (view.status !== 'COMPLETED') {
        add('stuck', r.reference, `closed but its workflow is ${view.status}${view.state ? ` (state ${view.state})` : ''}`);
      }
    } else if (view.status !== 'RUNNING' || (view.state !== null && view.state !== r.status)) {
      add('stuck', r.reference, `status ${r.status} in the database, workflow ${view.status} in state ${view.state} (${journey})`);
    }
  }

  // Purge: every closed request's personal data gone, within a minute of the close.
  let purgeMax = 0;
  let purgeLate = 0;
  const closedIds = acked.filter((f) => purges.has(f.reference!)).map((f) => byReference.get(f.reference!)?.id).filter((id): id is number => id !== undefined);
  const leftovers = new Map<number, string[]>();
  for (const table of PERSONAL_TABLES) {
    const rows: { request_id: number }[] = await whereInChunks(db, table, 'request_id', closedIds, ['request_id']);
    for (const { request_id } of rows) {
      leftovers.set(Number(request_id), [...(leftovers.get(Number(request_id)) ?? []), table]);
    }
  }
  for (const [ref, p] of purges) {
    const left = leftovers.get(Number(byReference.get(ref)?.id));
    if (p.goneAt === null || left) {
      purgeLate += 1;
      add('purge', ref, `personal data not purged${left ? ` (rows left in ${[...new Set(left)].join(', ')})` : ''}, ${Math.round((Date.now() - p.closedAt) / 1000)} s after the close`);
      continue;
    }
    const delay = (p.goneAt - p.closedAt) / 1000;
    purgeMax = Math.max(purgeMax, delay);
    if (delay > PURGE_LIMIT_S) {
      purgeLate += 1;
      add('purge', ref, `personal data purged ${delay.toFixed(1)} s after the close`);
    }
  }

  for (const flow of flows) {
    if (flow.submit && flow.submit.outcome !== 'acked') {
      add('info', null, `client ${flow.index}: submission ${flow.submit.outcome} after ${flow.submit.attempts} attempt(s): ${flow.submit.last}`);
    }
    for (const a of flow.actions.filter((x) => x.outcome === 'refused' || x.outcome === 'gaveUp')) {
      add('info', flow.reference, `${a.name} ${a.outcome} after ${a.attempts} attempt(s): ${a.last}`);
    }
  }

  const count = (c: Category) => findings.filter((f) => f.category === c).length;
  const stuckRequests = new Set(findings.filter((f) => f.category === 'stuck').map((f) => f.reference ?? f.detail)).size;
  return {
    findings,
    summary: {
      requests: flows.length,
      lost: count('lost'),
      duplicate: count('duplicate'),
      missingEmails: count('missingEmails'),
      stuck: stuckRequests,
      answers500: stats.answers500,
      purgeMaxSeconds: Math.round(purgeMax * 10) / 10,
      purgeLate,
    },
  };
}
