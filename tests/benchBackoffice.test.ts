// The back-office benchmark's parts on a small scale: the seeded requests are what the
// pages, the search and the exports read, and each measurement really ran against them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExport } from '../bench/backoffice';
import { login, measurePage, pageSpecs } from '../bench/backofficePages';
import { seedRequests } from '../bench/backofficeSeed';
import { loadAgent } from '../src/db/agents';
import { countRequests } from '../src/db/requestSearch';
import { nameWords } from '../src/db/nameWords';
import { DEMO_PASSWORD } from '../src/seed/demo';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
const COUNT = 1000;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  await seedRequests(h.db, { count: COUNT, mix: 'realistic' });
});
afterAll(() => h?.close());

const count = async (q: ReturnType<Harness['db']>) => Number((await q.count({ n: '*' }).first())!.n);

test('the seeded requests spread over the statuses as a municipality’s, closed ones purged', async () => {
  const byStatus: Record<string, number> = Object.fromEntries(
    ((await h.db('requests').groupBy('status').select('status').count({ n: '*' })) as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]),
  );
  expect(byStatus.NON_TRAITEE / COUNT).toBeCloseTo(0.3, 1);
  expect(byStatus.EN_COURS / COUNT).toBeCloseTo(0.2, 1);
  expect(byStatus.EN_ATTENTE / COUNT).toBeCloseTo(0.1, 1);
  expect(byStatus.CLOTUREE / COUNT).toBeCloseTo(0.4, 1);
  expect(await count(h.db('requests').where({ workflow_started: false }))).toBe(0);
  expect((await h.db('requests').distinct('form_type_id')).length).toBe(6);

  // Closed: a closing code, dates, no personal data left; open: a citizen, found without accents.
  const closed = h.db('requests').where({ status: 'CLOTUREE' });
  expect(await count(closed.clone().whereNull('closing_code'))).toBe(0);
  expect(await count(closed.clone().whereNull('purged_at'))).toBe(0);
  expect(await count(closed.clone().join('request_personal as p', 'p.request_id', 'requests.id'))).toBe(0);
  const open = await count(h.db('requests').whereNot({ status: 'CLOTUREE' }));
  expect(await count(h.db('request_personal'))).toBe(open);
  const people: { request_id: number; first_name: string; last_name: string }[] = await h.db('request_personal').select('request_id', 'first_name', 'last_name');
  const words: { request_id: number; word: string }[] = await h.db('request_name_words').select('request_id', 'word');
  const wordsOf = new Map<number, string[]>();
  words.forEach((w) => wordsOf.set(Number(w.request_id), [...(wordsOf.get(Number(w.request_id)) ?? []), w.word]));
  expect(people.filter((p) => JSON.stringify(wordsOf.get(Number(p.request_id))?.sort()) !== JSON.stringify(nameWords(`${p.first_name} ${p.last_name}`).sort()))).toEqual([]);
  expect(people.some((p) => /[éèëïç]/i.test(p.last_name + p.first_name))).toBe(true);

  // Each request's milestones start with its submission and end where its status says.
  expect(await count(h.db('events').where({ seq: 1, type: 'SUBMITTED' }))).toBe(COUNT);
  expect(await count(h.db('events as e').join('requests as r', 'r.id', 'e.request_id').whereRaw('e.seq = r.version').whereIn('e.type', ['CLOSED', 'EXPIRED']))).toBe(byStatus.CLOTUREE);
  expect(await count(h.db('requests').where({ status: 'EN_COURS' }).whereNull('assignee_id'))).toBe(0);
});

test('each page is rendered for a logged-in agent and its list query counts what the page lists', async () => {
  const cookie = await login(h.baseUrl, 'admin', DEMO_PASSWORD);
  const admin = (await h.db('agents').where({ code: 'admin' }).first('id')) as { id: number };
  const agent = (await loadAgent(h.db, admin.id))!;
  for (const spec of pageSpecs()) {
    const result = await measurePage({ baseUrl: h.baseUrl, cookie, db: h.db, agent, warmup: 1, iterations: spec.variants.length }, spec);
    expect(result.byVariant).toHaveLength(spec.variants.length);
    expect(result.http.p50).toBeGreaterThan(0);
    expect(result.sql.p50).toBeGreaterThan(0);
    if (spec.key === 'unprocessed') {
      expect(result.total).toBe(await countRequests(h.db, { groupIds: agent.groupIds, statuses: ['NON_TRAITEE'] }));
      expect(result.total).toBeGreaterThan(0);
    }
  }
  await expect(login(h.baseUrl, 'admin', 'mauvais-mot-de-passe')).rejects.toThrow('refused: 401');
});

test('the journal export runs in a child process and says its rows, time and peak memory', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-test-'));
  try {
    // amartin sees État civil only: the export is the journal of the agent's services.
    const amartin = (await loadAgent(h.db, ((await h.db('agents').where({ code: 'amartin' }).first('id')) as { id: number }).id))!;
    const expected = await count(h.db('requests').where({ status: 'CLOTUREE' }).whereIn('service_id', amartin.serviceIds));
    for (const format of ['csv', 'xlsx'] as const) {
      const result = await runExport(format, 'amartin', h.env, dir);
      expect(result).toMatchObject({ format, rows: expected });
      expect(result.bytes).toBeGreaterThan(0);
      expect(result.peakRssMb).toBeGreaterThanOrEqual(result.baselineRssMb);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
