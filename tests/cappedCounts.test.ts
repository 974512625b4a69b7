// Counts of long lists stop at 10 000 (src/db/cappedCount.ts): the pages say « plus de
// 10 000 », page on past the cap, and still count shorter lists exactly. The queues' stamp
// that the pages poll changes when a request changes or leaves the agent's groups.
// The nav's counts are taken again only when that stamp moves.
import { seedRequests } from '../bench/backofficeSeed';
import { loadAgent } from '../src/db/agents';
import { addCapped, cappedCount, COUNT_CAP, MORE } from '../src/db/cappedCount';
import { queuesStamp } from '../src/db/changes';
import { countsOf } from '../src/web/routes/rubriques';
import { countRequests, searchRequests } from '../src/db/requestSearch';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
const CLOSED = COUNT_CAP + 50;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  // Closed requests only: the journal is the list past the cap; the open lists stay short.
  await seedRequests(h.db, { count: CLOSED, mix: 'closed' });
  await seedRequests(h.db, { count: 30, mix: 'realistic', seed: 5 });
}, 300_000);
afterAll(() => h?.close());

const admin = async () => (await loadAgent(h.db, ((await h.db('agents').where({ code: 'admin' }).first('id')) as { id: number }).id))!;

test('a capped count is exact up to the cap and MORE past it; sums stay capped', async () => {
  expect(await cappedCount(h.db, h.db('requests').where({ status: 'CLOTUREE' }))).toBe(MORE);
  expect(await cappedCount(h.db, h.db('requests').where({ status: 'EN_COURS' }))).toBe(await countRequests(h.db, { groupIds: (await admin()).groupIds, statuses: ['EN_COURS'] }));
  expect(addCapped(COUNT_CAP, 1)).toBe(MORE);
  expect(addCapped(MORE, 0)).toBe(MORE);
  expect(addCapped(3, 4)).toBe(7);

  const agent = await admin();
  const page = await searchRequests(h.db, { groupIds: agent.groupIds, statuses: ['CLOTUREE'] }, { sort: 'closedAt', dir: 'desc', page: 1, pageSize: 100 });
  expect(page.total).toBe(MORE);
  expect(page.rows).toHaveLength(100);
  expect(await countRequests(h.db, { groupIds: agent.groupIds, statuses: ['CLOTUREE'] })).toBeGreaterThanOrEqual(CLOSED);
});

test('the journal past the cap says « plus de 10 000 », offers the next page but no last one, and pages on past the cap', async () => {
  const web = webClient(h.baseUrl, '10.9.0.1');
  expect((await web.login('admin')).status).toBe(303);
  const first = await web.call('GET', '/journal');
  expect(first.status).toBe(200);
  expect(first.text).toContain('Plus de 10\u202f000 demandes');
  expect(first.text).toContain('Page 1 sur plus de 100');
  expect(first.text).toMatch(/<a href="\/journal\?page=2" rel="next">/);
  expect(first.text).not.toContain('Dernière');

  // Page 101 is past the cap: its 50 rows are listed, and nothing follows.
  const last = await web.call('GET', '/journal?page=101');
  expect(last.text).toContain('Page 101 sur plus de 100');
  expect(last.text).not.toContain('rel="next"');
  expect(last.text).toContain('rel="prev"');
  const closed = await countRequests(h.db, { groupIds: (await admin()).groupIds, statuses: ['CLOTUREE'] });
  expect((last.text.match(/<tr[ >]/g) ?? []).length - 1).toBe(closed - COUNT_CAP);

  // The home page's counter of closed requests; the open lists, under the cap, counted exactly.
  const home = await web.call('GET', '/');
  expect(home.text).toMatch(/<span class="counter-value">10\u202f000\+<\/span> <span class="counter-label">Clôturée<\/span>/);
  const open = await web.call('GET', '/demandes/du-service');
  const exact = await countRequests(h.db, { groupIds: (await admin()).groupIds });
  expect(open.text).toContain(`${exact} demandes`);
  expect(open.text).not.toContain('plus de');
});

test('the queues’ stamp changes when a request of the groups changes, and when one leaves them', async () => {
  const agent = await admin();
  const [groupId, otherGroup] = agent.groupIds;
  const request = (await h.db('requests').where({ group_id: groupId }).whereNot({ status: 'CLOTUREE' }).first('id', 'version')) as { id: number; version: number };
  const before = await queuesStamp(h.db, [groupId]);
  expect(await queuesStamp(h.db, [groupId])).toBe(before);

  await h.db('requests').where({ id: request.id }).update({ updated_at: Date.now() + 60_000 });
  const updated = await queuesStamp(h.db, [groupId]);
  expect(updated).not.toBe(before);
  // Read one group at a time, or grouped past 100 groups: the same stamp (groups without requests add nothing).
  const without = (n: number) => Array.from({ length: n }, (_, i) => 1_000_000 + i);
  expect([await queuesStamp(h.db, [groupId, ...without(5)]), await queuesStamp(h.db, [groupId, ...without(120)])]).toEqual([updated, updated]);

  // Transferred to another group: its updated_at moves with it, the TRANSFERRED event stays behind.
  await h.db('requests').where({ id: request.id }).update({ group_id: otherGroup, updated_at: Date.now() + 120_000 });
  await h.db('events').insert({ request_id: request.id, seq: request.version + 1, type: 'TRANSFERRED', source_group_id: groupId, target_group_id: otherGroup, at: Date.now() + 120_000 });
  expect(await queuesStamp(h.db, [groupId])).not.toBe(updated);
});

test('the nav’s counts are kept while the queues’ stamp stays, and counted again once it moves', async () => {
  const agent = await admin();
  const before = await countsOf(h.db, agent);
  const request = (await h.db('requests').whereIn('group_id', agent.groupIds).where({ status: 'NON_TRAITEE' }).first('id')) as { id: number };

  // A write that leaves updated_at as it was (none of ours does): the stamp cannot see it, the counts are kept.
  await h.db('requests').where({ id: request.id }).update({ status: 'EN_ATTENTE' });
  const kept = await countsOf(h.db, agent);
  expect(kept.byStatus).toEqual(before.byStatus);

  // The same change as the transitions write it, with its time: counted again.
  await h.db('requests').where({ id: request.id }).update({ updated_at: Date.now() + 600_000 });
  const counted = await countsOf(h.db, agent);
  expect(counted.byStatus.NON_TRAITEE).toBe(before.byStatus.NON_TRAITEE - 1);
  expect(counted.byStatus.EN_ATTENTE).toBe(before.byStatus.EN_ATTENTE + 1);

  // Another agent of the same groups has counts of their own (« mes dossiers »).
  const other = { ...agent, id: agent.id + 1000 };
  expect((await countsOf(h.db, other)).mineOpen).toBe(0);
});
