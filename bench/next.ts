// « Traiter la suivante » under contention: N agents, each with their own API token,
// press it at the same moment; every request must go to one agent only. The figure the
// issue asks for: collisions (a request served twice) = 0, how many distinct, p95.
import { createAgent, createAgentToken } from '../src/admin';
import type { Db } from '../src/db/connection';
import { COMMAND_LINE } from '../src/policies';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { fileRequests } from './actions';
import { latencies, type Latencies } from './stats';

export interface NextResult extends Latencies {
  agents: number;
  served: number;
  distinct: number;
  /** requests served to more than one agent */
  collisions: number;
  failed: number;
  firstFailure: string | null;
}

/** Agents of état civil (the bench's form type's service, so its group), each with a token. */
async function benchAgents(db: Db, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const code = `suivante${i}`;
    await createAgent(db, COMMAND_LINE, { code, name: `Agent suivante ${i}`, email: `${code}@mairie.example`, services: ['etat-civil'], admin: false, password: DEMO_PASSWORD });
    tokens.push(await createAgentToken(db, COMMAND_LINE, code));
  }
  return tokens;
}

async function waitingCount(db: Db): Promise<number> {
  const [{ n }] = await db('requests').where({ status: 'NON_TRAITEE' }).whereNull('assignee_id').count({ n: '*' });
  return Number(n);
}

export async function measureNext(db: Db, baseUrl: string, partnerKey: string, agents: number): Promise<NextResult> {
  const tokens = await benchAgents(db, agents);
  const missing = agents + 5 - (await waitingCount(db));
  if (missing > 0) {
    await fileRequests(baseUrl, partnerKey, missing);
  }
  const answers = await Promise.all(tokens.map(async (token) => {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/requests/next`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0 };
  }));
  const ok = answers.filter((a) => a.status === 200);
  const references = ok.map((a) => (JSON.parse(a.text) as { reference: string }).reference);
  const distinct = new Set(references).size;
  const failure = answers.find((a) => a.status !== 200);
  return {
    agents,
    served: references.length,
    distinct,
    collisions: references.length - distinct,
    failed: answers.length - ok.length,
    firstFailure: failure ? `${failure.status} ${failure.text.slice(0, 200)}` : null,
    ...latencies(ok.map((a) => a.ms)),
  };
}
