// What each simulated client does with its request: a partner files it (with the
// citizen's e-mail address, so a receipt goes out), then an agent works on it through the
// JSON API: take (with or without the acknowledgement e-mail), hold with or without a
// date, resume, close (with or without the closing e-mail). Every outcome is recorded,
// so that the checks can compare what the clients were told with what the system did.
import type { Status } from '../../workflows/definitions';
import { generator } from '../backofficeSeed';
import type { Http } from './http';

export type ActionName = 'take' | 'hold' | 'holdUntil' | 'resume' | 'close';

/** The status an accepted action leaves the request in. */
export const STATUS_AFTER: Record<ActionName, Status> = {
  take: 'EN_COURS',
  hold: 'EN_ATTENTE',
  holdUntil: 'EN_ATTENTE',
  resume: 'EN_COURS',
  close: 'CLOTUREE',
};

/** The event the workflow writes for an accepted action. */
export const EVENT_OF: Record<ActionName, string> = {
  take: 'TAKEN',
  hold: 'HELD',
  holdUntil: 'HELD',
  resume: 'RESUMED',
  close: 'CLOSED',
};

/**
 * acked: answered 200 (or 201). confirmed: a retry was refused (409, or 400) because an
 * earlier attempt had taken effect, which a GET confirmed. refused: refused without an
 * earlier attempt (a finding). gaveUp: no definite answer before the client gave up:
 * the action may or may not have happened.
 */
export type Outcome = 'acked' | 'confirmed' | 'refused' | 'gaveUp';

export interface ActionRecord {
  name: ActionName;
  notify: boolean;
  outcome: Outcome;
  attempts: number;
  /** when the outcome was known (the close's purge delay counts from here) */
  at: number;
  /** the last answer, for the findings */
  last: string;
  /** the status of each attempt (0: no answer) */
  statuses: number[];
}

export interface Flow {
  index: number;
  idempotencyKey: string;
  email: string;
  formType: string;
  agentToken: string;
  plan: { name: ActionName; notify: boolean }[];
  submit: { outcome: Outcome; attempts: number; at: number; last: string; statuses: number[]; replayed: boolean } | null;
  reference: string | null;
  actions: ActionRecord[];
  done: boolean;
}

/** The mix of journeys: two thirds end closed (the purge is measured on those), the rest stay open in each status. */
function planOf(random: () => number): Flow['plan'] {
  const notify = () => random() < 0.75;
  const r = random();
  const take = { name: 'take' as const, notify: notify() };
  const close = { name: 'close' as const, notify: notify() };
  const hold = { name: 'hold' as const, notify: false };
  const holdUntil = { name: 'holdUntil' as const, notify: false };
  const resume = { name: 'resume' as const, notify: false };
  if (r < 0.08) return [];
  if (r < 0.16) return [take];
  if (r < 0.24) return [take, holdUntil];
  if (r < 0.32) return [take, hold, resume];
  if (r < 0.46) return [take, holdUntil, close];
  if (r < 0.58) return [take, hold, resume, close];
  return [take, close];
}

export function makeFlows(count: number, runId: string, seed: number, agentTokens: string[]): Flow[] {
  const random = generator(seed);
  const formTypes = ['acte-naissance', 'acte-mariage'];
  return Array.from({ length: count }, (_, index) => ({
    index,
    idempotencyKey: `chaos-${runId}-${index}`,
    email: `citoyen.${runId}.${index}@example.org`,
    formType: formTypes[index % formTypes.length],
    agentToken: agentTokens[index % agentTokens.length],
    plan: planOf(random),
    submit: null,
    reference: null,
    actions: [],
    done: false,
  }));
}

function bodyOf(action: { name: ActionName; notify: boolean }): unknown {
  switch (action.name) {
    case 'take':
      return { notifyCitizen: action.notify };
    case 'hold':
      return { reason: 'Pièce justificative demandée au citoyen' };
    case 'holdUntil':
      return { reason: 'En attente du registre', until: new Date(Date.now() + 2 * 86_400_000).toISOString() };
    case 'resume':
      return {};
    case 'close':
      return { closingCode: 'TRAITEE', notifyCitizen: action.notify };
  }
}

const routeOf = (name: ActionName) => (name === 'holdUntil' ? 'hold' : name);
const brief = (a: { status: number; body: unknown }) => `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`;

export interface FlowOptions {
  partnerKey: string;
  /** how long a client keeps retrying one call */
  giveUpMs: number;
  /** how long a client asks whether a refused retry's earlier attempt went through */
  confirmMs: number;
  /** pause between two steps of a journey (ms, drawn in [min, max]) */
  thinkMs: [number, number];
}

/** Runs one journey to its end, or to its first step that did not go through. */
export async function runFlow(http: Http, flow: Flow, opts: FlowOptions): Promise<void> {
  const think = () => new Promise((r) => setTimeout(r, opts.thinkMs[0] + Math.random() * (opts.thinkMs[1] - opts.thinkMs[0])));
  try {
    const submission = {
      formType: flow.formType,
      citizen: { firstName: 'Camille', lastName: `Chaos-${flow.index}`, email: flow.email, phone: '06 12 34 56 78', address: '3 place de la Mairie\n44000 Nantes' },
      answers: { objet: 'Copie intégrale', nombreExemplaires: 1 },
    };
    const answer = await http.withRetries('POST', '/api/requests', opts.partnerKey, submission, { 'idempotency-key': flow.idempotencyKey }, opts.giveUpMs);
    const outcome: Outcome = answer.status === 201 ? 'acked' : answer.attempts > 1 || answer.status === 0 || answer.status >= 500 ? 'gaveUp' : 'refused';
    flow.submit = { outcome, attempts: answer.attempts, at: Date.now(), last: brief(answer), statuses: answer.statuses, replayed: Boolean(answer.replayed) };
    if (answer.status !== 201) {
      return;
    }
    flow.reference = answer.body.reference;
    for (const step of flow.plan) {
      await think();
      const record = await runAction(http, flow, step, opts);
      flow.actions.push(record);
      if (record.outcome !== 'acked' && record.outcome !== 'confirmed') {
        return;
      }
    }
  } finally {
    flow.done = true;
  }
}

async function runAction(http: Http, flow: Flow, step: { name: ActionName; notify: boolean }, opts: FlowOptions): Promise<ActionRecord> {
  const url = `/api/requests/${flow.reference}/${routeOf(step.name)}`;
  const answer = await http.withRetries('POST', url, flow.agentToken, bodyOf(step), {}, opts.giveUpMs);
  const record = (outcome: Outcome): ActionRecord => ({ ...step, outcome, attempts: answer.attempts, at: Date.now(), last: brief(answer), statuses: answer.statuses });
  if (answer.status === 200) {
    return record('acked');
  }
  if (answer.status === 0 || answer.status >= 500) {
    return record('gaveUp');
  }
  if (answer.attempts === 1) {
    return record('refused');
  }
  // A retry refused: did an earlier attempt go through? Ask, as a client would. The
  // workflow refuses as soon as it has the earlier attempt, but the database may show it a
  // little later (the worker writes it), so ask for a while.
  const deadline = Date.now() + opts.confirmMs;
  for (;;) {
    const now = await http.withRetries('GET', `/api/requests/${flow.reference}`, flow.agentToken, undefined, {}, opts.giveUpMs);
    if (now.status === 200 && wentThrough(flow, step.name, now.body)) {
      return record('confirmed');
    }
    if (Date.now() > deadline) {
      return record('refused');
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** The request shows one more event of the action than the client had seen accepted, and the status it leads to. */
function wentThrough(flow: Flow, name: ActionName, body: { status: string; events?: { type: string }[] }): boolean {
  const type = EVENT_OF[name];
  const seen = (body.events ?? []).filter((e) => e.type === type).length;
  const accepted = flow.actions.filter((a) => EVENT_OF[a.name] === type && (a.outcome === 'acked' || a.outcome === 'confirmed')).length;
  return body.status === STATUS_AFTER[name] && seen > accepted;
}
