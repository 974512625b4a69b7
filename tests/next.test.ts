// « Traiter la suivante » under contention: 20 agents pressing at once are served 20
// different requests (the claim's primary key, then the workflow's own refusal), and two
// agents racing on the last one: one gets it, the other is told nothing is left.
import { agentWithRole, submitRequest, type AgentWithRole } from './support/factories';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  // 20 agents and 24 requests: one information e-mail each at once would be 480 e-mails still
  // being sent when the worker stops (a drain past its grace under a loaded CI); batched, none.
  h = await startHarness({ env: { NEW_REQUEST_BATCH_SECONDS: '30' } });
});
afterAll(async () => {
  await h?.close();
});

const next = (agent: AgentWithRole) => h.api('POST', '/api/requests/next', agent.token);

test('20 agents press « suivante » together: 20 distinct requests, each assigned once, to the agent who got it', async () => {
  const agents: AgentWithRole[] = [];
  for (let i = 0; i < 20; i += 1) agents.push(await agentWithRole(h, 'agent'));
  const filed = [];
  for (let i = 0; i < 24; i += 1) filed.push((await submitRequest(h)).reference);

  const answers = await Promise.all(agents.map(next));
  expect(answers.map((a) => a.status)).toEqual(agents.map(() => 200));
  const served = answers.map((a) => a.body.reference as string);
  expect(new Set(served).size).toBe(20);
  for (const [i, answer] of answers.entries()) {
    expect(answer.body.assignee.code).toBe(agents[i].code);
    expect(answer.body.status).toBe('EN_COURS');
  }
  const rows = await h.db('requests').whereIn('reference', served).select('reference', 'assignee_id');
  expect(rows.every((r: { assignee_id: number | null }) => r.assignee_id !== null)).toBe(true);
  // Each served once: one TAKEN event per request.
  const taken = await h.db('events as e').join('requests as r', 'r.id', 'e.request_id').whereIn('r.reference', served).where('e.type', 'TAKEN').count({ n: '*' }).first();
  expect(Number(taken?.n)).toBe(20);
  // The claims are gone once served.
  expect(Number((await h.db('next_claims').count({ n: '*' }).first())?.n)).toBe(0);
}, 360_000); // 44 workflows and 20 takes with their e-mails: minutes when CI's two suites starve each other (it took over 120 s once)

test('two agents race on the last waiting request: one gets it, the other is told there is nothing to serve', async () => {
  const a = await agentWithRole(h, 'agent');
  const b = await agentWithRole(h, 'agent');
  // Serve away what the first test left, then file one.
  while ((await next(a)).status === 200);
  const { reference } = await submitRequest(h);
  const answers = await Promise.all([next(a), next(b)]);
  expect(answers.map((x) => x.status).sort()).toEqual([200, 404]);
  expect(answers.find((x) => x.status === 200)!.body.reference).toBe(reference);
  expect(answers.find((x) => x.status === 404)!.body.error.code).toBe('NOTHING_TO_SERVE');
});

test('a claim left by a call that died (older than its 30 s) does not hold the request back', async () => {
  const a = await agentWithRole(h, 'agent');
  while ((await next(a)).status === 200);
  const { id, reference } = await submitRequest(h);
  await h.db('next_claims').insert({ request_id: id, agent_id: a.agent.id, claimed_at: Date.now() - 31_000 });
  const res = await next(a);
  expect(res.status).toBe(200);
  expect(res.body.reference).toBe(reference);
});
