// What a page asks of the database, beyond its own list: every page and every poll pays it.
// The queues' stamp is read once per page though two parts want it, the session's expiry is
// pushed back at most once a minute, not written before every answer, and what every page
// reads comes in as few queries as it can: each costs the web process a socket write.
import { seedRequests } from '../bench/backofficeSeed';
import { findAgentRowByCode, loadAgent } from '../src/db/agents';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ worker: false });
}, 120_000);
afterAll(() => h?.close());

/** The SQL the web sent while `fn` ran (the web runs in this process, on this database). */
async function queriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const queries: string[] = [];
  const note = (q: { sql: string }) => queries.push(q.sql);
  h.db.on('query', note);
  try {
    await fn();
  } finally {
    h.db.off('query', note);
  }
  return queries;
}

const stampReads = (queries: string[]) => queries.filter((q) => /max\([`"]updated_at[`"]\)/.test(q)).length;
const sessionWrites = (queries: string[]) => queries.filter((q) => /^(update|insert)\b.*\bsessions\b/i.test(q)).length;

test('a list page reads the queues’ stamp once, and its session’s expiry is written once a minute at most', async () => {
  const anne = webClient(h.baseUrl, '203.0.113.41');
  expect((await anne.login('amartin')).status).toBe(303);
  const { reference } = await h.db('requests').first('reference') ?? { reference: 'DEM-2026-000001' };
  const url = `/recherche?reference=${encodeURIComponent(reference)}`;

  const first = await queriesDuring(async () => expect((await anne.call('GET', url)).status).toBe(200));
  expect(stampReads(first)).toBe(1);
  // The session as the login left it (its expiry set then), written again at most once.
  expect(sessionWrites(first)).toBeLessThanOrEqual(1);

  // The next pages and polls within the minute: the expiry written a moment ago stands.
  for (const next of [url, '/demandes/non-traitees', '/navigation']) {
    const queries = await queriesDuring(async () => expect((await anne.call('GET', next)).status).toBe(200));
    expect({ next, writes: sessionWrites(queries) }).toEqual({ next, writes: 0 });
  }

  // Logged out, the session is gone: the same cookie opens nothing.
  const out = await anne.call('POST', '/deconnexion', { _csrf: await anne.csrf('/') });
  expect(out.status).toBe(303);
  const after = await anne.call('GET', url);
  expect(after.status).toBe(303);
});

test('a search by reference takes seven queries once the nav’s counts are kept, each part of the page in one', async () => {
  await seedRequests(h.db, { count: 60, mix: 'realistic' });
  const anne = webClient(h.baseUrl, '203.0.113.42');
  expect((await anne.login('amartin')).status).toBe(303);
  const { groupIds } = (await loadAgent(h.db, (await findAgentRowByCode(h.db, 'amartin'))!.id))!;
  const { reference } = await h.db('requests').whereIn('group_id', groupIds).first('reference');
  const url = `/recherche?reference=${encodeURIComponent(reference)}`;
  // The first page counts the nav's figures and asks whether a telephony connector is set up; both are kept.
  expect((await anne.call('GET', url)).status).toBe(200);

  const queries = await queriesDuring(async () => {
    const page = await anne.call('GET', url);
    expect(page.status).toBe(200);
    // listed: its link to the request's page
    expect(page.text).toContain(`href="/demandes/${reference}?depuis=recherche"`);
  });
  const count = (re: RegExp) => queries.filter((q) => re.test(q)).length;
  expect({
    all: queries.length,
    // the session, then the agent with their services and groups
    session: count(/from [`"]sessions[`"]/),
    agent: count(/from [`"]agents[`"] as [`"]a[`"] where/),
    links: count(/[`"]agent_groups[`"]/),
    // the filters' services, form types, colleagues and closing codes
    choices: count(/[`"]closing_codes[`"]/),
    // the nav: the queues' stamp, the callbacks due, the questions and messages waiting
    stamp: stampReads(queries),
    badges: count(/[`"]consultations[`"].*[`"]callbacks[`"].*[`"]chat_messages[`"]/),
    callbacks: count(/from [`"]callbacks[`"]/),
    telephony: count(/[`"]api_tokens[`"]/),
  }).toEqual({ all: 7, session: 1, agent: 1, links: 1, choices: 1, stamp: 1, badges: 1, callbacks: 1, telephony: 0 });
});
