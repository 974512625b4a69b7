// Test factories: requests filed and moved through the real commands, agents with roles
// made as the CLI and the seed make them. Thin wrappers, so that a change of a command's
// signature or answer touches the tests here only.
import { createAgent, createAgentToken } from '../../src/admin';
import { COMMAND_LINE } from '../../src/policies';
import { citizenReply } from '../../src/commands/citizenReply';
import { close } from '../../src/commands/close';
import { hold, type HoldProps } from '../../src/commands/hold';
import { submit, type SubmitProps } from '../../src/commands/submit';
import { take } from '../../src/commands/take';
import { loadAgent, type Agent } from '../../src/db/agents';
import { findRequest, type Channel, type Citizen, type RequestRow } from '../../src/db/requests';
import { replyToken } from '../../src/messages/secureLink';
import { DEMO_AGENTS, DEMO_PASSWORD } from '../../src/seed/demo';
import type { Status } from '../../workflows/definitions';
import { waitFor, type Harness } from './harness';
import { webClient } from './webClient';

export const CITIZEN: Citizen = { firstName: 'Jeanne', lastName: 'Dupré', email: 'jeanne.dupre@example.org', phone: '0612345678', address: '1 rue Haute' };

export interface Filing {
  formType?: string;
  /** taken whole when given (a citizen without e-mail stays without one); CITIZEN otherwise */
  citizen?: Citizen;
  answers?: Record<string, unknown>;
  channel?: Channel;
  uploads?: SubmitProps['uploads'];
  citizenId?: number | null;
  filedBy?: number | null;
}

export interface Filed {
  reference: string;
  trackingCode: string;
  id: number;
}

/** Files a request through the submit command (as the API, the counter and the online forms do). */
export async function submitRequest(h: Harness, f: Filing = {}): Promise<Filed> {
  const filed = await submit(h.ctx, {
    formType: f.formType ?? 'acte-naissance',
    citizen: f.citizen ?? CITIZEN,
    answers: f.answers ?? {},
    channel: f.channel,
    uploads: f.uploads,
    citizenId: f.citizenId,
    filedBy: f.filedBy,
  });
  return { reference: filed.reference, trackingCode: filed.trackingCode, id: (await requestRow(h, filed.reference)).id };
}

/** The projection's row of a request (throws when there is none). */
export async function requestRow(h: Harness, reference: string): Promise<RequestRow> {
  const row = await findRequest(h.db, reference);
  if (!row) {
    throw new Error(`no request ${reference}`);
  }
  return { ...row, id: Number(row.id) };
}

/** An agent as the commands get it, by code. */
export async function agentByCode(h: Harness, code: string): Promise<Agent> {
  const row = await h.db('agents').where({ code }).first('id');
  const agent = row && (await loadAgent(h.db, Number(row.id)));
  if (!agent) {
    throw new Error(`no active agent ${code}`);
  }
  return agent;
}

/** The first seeded non-administrator agent of the request's service: who acts when a test does not say. */
async function defaultAgentFor(h: Harness, reference: string): Promise<Agent> {
  const { service_slug: service } = await requestRow(h, reference);
  const seeded = DEMO_AGENTS.find((a) => !a.admin && a.services.includes(service));
  if (!seeded) {
    throw new Error(`no seeded agent of ${service}`);
  }
  return agentByCode(h, seeded.code);
}

export interface Moves {
  /** who takes (and holds, closes) it: an agent or a code; the service's first seeded agent otherwise */
  agent?: Agent | string;
  hold?: Partial<HoldProps>;
  closingCode?: string;
}

/** What brings a request from NON_TRAITEE to each status. */
const PATHS: Record<Status, ('take' | 'hold' | 'close')[]> = {
  NON_TRAITEE: [],
  EN_COURS: ['take'],
  EN_ATTENTE: ['take', 'hold'],
  CLOTUREE: ['take', 'close'],
};

/**
 * Brings a request just filed (NON_TRAITEE) to `status` through the take, hold and close
 * commands, no e-mail to the citizen, and waits for the projection to show it.
 */
export async function moveTo(h: Harness, reference: string, status: Status, moves: Moves = {}): Promise<RequestRow> {
  const from = (await requestRow(h, reference)).status;
  if (from !== 'NON_TRAITEE') {
    throw new Error(`moveTo starts from NON_TRAITEE, ${reference} is ${from}`);
  }
  const agent = typeof moves.agent === 'string' ? await agentByCode(h, moves.agent) : moves.agent ?? (await defaultAgentFor(h, reference));
  const steps = {
    take: () => take(h.ctx, agent, reference, { notifyCitizen: false }),
    hold: () => hold(h.ctx, agent, reference, { reason: 'pièce manquante', until: null, ...moves.hold }),
    close: () => close(h.ctx, agent, reference, { notifyCitizen: false, closingCode: moves.closingCode ?? 'SANS_SUITE' }),
  };
  for (const step of PATHS[status]) {
    await steps[step]();
  }
  return waitFor(async () => {
    const row = await requestRow(h, reference);
    return row.status === status ? row : undefined;
  }, 15000, `${reference} ${status} in the projection`);
}

/** The citizen answers through the link of a message (the request then shows an unread message). */
export async function citizenReplied(h: Harness, filed: Filed, text = 'Voici ma réponse.'): Promise<{ resumed: boolean }> {
  return citizenReply(h.ctx, filed.trackingCode, replyToken(h.config.sessionSecret, filed.id), text);
}

export type Role = 'agent' | 'admin' | 'adminAgent' | 'noService';

export interface AgentWithRole {
  agent: Agent;
  code: string;
  password: string;
  /** an API token of theirs */
  token: string;
  /** a web client of theirs, logged in, from its own address */
  web(): Promise<ReturnType<typeof webClient>>;
}

let made = 0;

/**
 * A new agent with a role, created as the CLI creates one (src/admin.ts): `agent` has one
 * service (état civil unless said), `admin` administers without any service, `adminAgent`
 * does both, `noService` is an agent without rights on any service.
 */
export async function agentWithRole(h: Harness, role: Role, opts: { service?: string } = {}): Promise<AgentWithRole> {
  made += 1;
  const code = `${role.toLowerCase()}${made}`;
  const services = role === 'agent' || role === 'adminAgent' ? [opts.service ?? 'etat-civil'] : [];
  await createAgent(h.db, COMMAND_LINE, {
    code, name: `${role} ${made}`, email: `${code}@mairie.example`, services, admin: role === 'admin' || role === 'adminAgent', password: DEMO_PASSWORD,
  });
  const agent = await agentByCode(h, code);
  const token = await createAgentToken(h.db, COMMAND_LINE, code);
  const address = `10.77.${Math.floor(made / 250)}.${(made % 250) + 1}`;
  const web = async () => {
    const client = webClient(h.baseUrl, address);
    const res = await client.login(code);
    if (res.status !== 303) {
      throw new Error(`login of ${code} answered ${res.status}`);
    }
    return client;
  };
  return { agent, code, password: DEMO_PASSWORD, token, web };
}
