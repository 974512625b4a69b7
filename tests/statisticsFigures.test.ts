import { seedRequests } from '../bench/backofficeSeed';
import { DEFAULT_DELAYS, insertFormType } from '../src/db/formTypes';
import { insertGroup, setMember } from '../src/db/groups';
import { statisticsOf, type Statistics, type StatsFilter } from '../src/db/statistics';
import { parisDayNumber } from '../src/dates';
import { refreshStatisticsDays } from '../src/db/statisticsDays';
import { humanDuration } from '../src/web/routes/statistics';
import { agentByCode, moveTo, submitRequest } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { agentIdOf, closedAndPurged, emailWasSent, eventWas, filedAt, projectionWas } from './support/rawRows';
import { rawStatisticsOf } from './support/rawStatistics';

// The statistics page counts in grouped queries (src/db/statistics.ts); these figures must
// be the ones of the plain reading of every request (./support/rawStatistics.ts), for
// every agent, filter and period, after requests lived as they do: filed, taken, held,
// closed, purged through the commands, thousands more as the bench writes them, and the
// cases where a grouped count could differ (rounding of durations, Paris days at the
// clock changes, a closing without code, another group's requests); then again once the
// daily aggregates are built, which the page reads for the whole days before today.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: true });
});
afterAll(async () => {
  await h?.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the page shows of the figures: durations as humanDuration writes them. */
function shown(s: Statistics) {
  const duration = (p: Statistics['timeToTake']) => ({ count: p.count, median: humanDuration(p.medianMs), p90: humanDuration(p.p90Ms) });
  return { ...s, timeToTake: duration(s.timeToTake), timeToClose: duration(s.timeToClose) };
}

/** A request of `formType` filed at `created` whose projection was then `change`d. */
async function past(formType: string, created: number, change: Record<string, unknown>) {
  const r = await filedAt(h, { formType, citizen: { firstName: 'Bord', lastName: 'Limite' }, channel: 'counter', at: created });
  await projectionWas(h, r.id, change);
  return r;
}

async function lifeThroughCommands() {
  const filed = [];
  for (const [formType, channel] of [['acte-naissance', 'web'], ['acte-mariage', 'phone'], ['declaration-travaux', 'counter'], ['acte-naissance', 'mail'], ['signalement-voirie', 'web'], ['acte-mariage', 'web']] as const) {
    filed.push(await submitRequest(h, { formType, channel }));
  }
  await moveTo(h, filed[0].reference, 'EN_COURS');
  await moveTo(h, filed[1].reference, 'EN_ATTENTE');
  await moveTo(h, filed[2].reference, 'CLOTUREE', { closingCode: 'TRAITEE' });
  await moveTo(h, filed[4].reference, 'CLOTUREE', { closingCode: 'SANS_SUITE' });
  // An unprocessed request whose workflow is not running any more: expired and purged.
  const expired = await filedAt(h, { formType: 'acte-naissance', citizen: { firstName: 'Sans', lastName: 'Suite' }, at: Date.now() - 31 * DAY });
  await closedAndPurged(h, expired.id, 'EXPIRED');
}

/** Durations at the edges of a shown minute and of a day; days around the clock changes; no closing code. */
async function edgeCases(anne: number) {
  const start = Date.now() - 20 * DAY;
  for (const [i, d] of [90_000 - 1, 90_000, 30_000, 1439 * MINUTE + 29_999, 1439 * MINUTE + 30_000, DAY + 59 * MINUTE + 30_000].entries()) {
    await past('acte-naissance', start + i * HOUR, { status: 'EN_COURS', assignee_id: anne, taken_at: start + i * HOUR + d });
  }
  await past('acte-mariage', start, { status: 'CLOTUREE', closing_code: null, taken_at: start + HOUR, closed_at: start + 2 * DAY });
  // 29 March 2026: 02:00 in Paris is 03:00; 25 October 2026: 03:00 is 02:00 again. A form
  // type of their own, which the seeder (run before) never uses.
  const service = await h.db('services').where({ slug: 'etat-civil' }).first('id');
  await insertFormType(h.db, { slug: 'bord-horloge', title: 'Changement d’heure', serviceId: Number(service.id), delays: DEFAULT_DELAYS });
  for (const iso of ['2026-03-28T22:59:59Z', '2026-03-28T23:00:00Z', '2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z', '2026-03-29T21:59:59Z', '2026-03-29T22:00:00Z',
    '2026-10-24T21:59:59Z', '2026-10-24T22:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-25T22:59:59Z', '2026-10-25T23:00:00Z']) {
    const at = Date.parse(iso);
    await past('bord-horloge', at, { status: 'CLOTUREE', closing_code: 'TRAITEE', taken_at: at, closed_at: at + DAY });
  }
}

/** A group of the État civil service Anne is not in, with a request, a hold, a reminder and a call of its own. */
async function otherGroupsRequest(anne: number): Promise<number> {
  const service = await h.db('services').where({ slug: 'etat-civil' }).first('id');
  const groupId = await insertGroup(h.db, { name: 'Cellule mariages', serviceId: Number(service.id) });
  await setMember(h.db, groupId, await agentIdOf(h, 'bdurand'));
  const at = Date.parse('2026-06-10T10:00:00Z');
  const r = await past('acte-mariage', at, { group_id: groupId, status: 'EN_ATTENTE', assignee_id: anne, taken_at: at + HOUR });
  await eventWas(h, r.id, { seq: 2, type: 'HELD', agentId: anne, at: at + 2 * HOUR });
  await emailWasSent(h, r.id, { key: 'other-group-reminder', kind: 'REMINDER_IN_PROGRESS', at: at + 3 * HOUR });
  await eventWas(h, r.id, { seq: 3, type: 'CALL_LOGGED', agentId: anne, at: at + 4 * HOUR, wrapUpCode: 'JOINT' });
  return groupId;
}

/** Holds, reminders and calls (one of a code no longer listed) on requests the seeder wrote. */
async function eventsOnSeeded() {
  const ids = (await h.db('requests').where({ status: 'EN_COURS' }).orderBy('id').limit(40).pluck('id')).map(Number);
  for (const [i, id] of ids.entries()) {
    const at = Date.now() - (i + 1) * 7 * DAY;
    const seq = 100 + i;
    if (i % 3 === 0) await eventWas(h, id, { seq, type: 'HELD', agentId: null, at });
    if (i % 3 === 1) await emailWasSent(h, id, { key: `seeded-reminder-${id}`, kind: i % 2 ? 'REMINDER_UNPROCESSED' : 'REMINDER_ABSENT', at });
    if (i % 3 === 2) await eventWas(h, id, { seq, type: 'CALL_LOGGED', agentId: null, at, wrapUpCode: i % 2 ? 'JOINT' : 'ANCIEN_CODE' });
  }
}

let otherGroup: number;
beforeAll(async () => {
  const anne = await agentIdOf(h, 'amartin');
  await lifeThroughCommands();
  await seedRequests(h.db, { count: 1500, mix: 'realistic', seed: 16, batch: 500 });
  await edgeCases(anne);
  otherGroup = await otherGroupsRequest(anne);
  await eventsOnSeeded();
}, 600_000);

const now = Date.now();
const PERIODS: [string, number, number][] = [
  ['the last 30 days', now - 30 * DAY, now + DAY],
  ['the last two years', now - 800 * DAY, now + DAY],
  ['the spring clock change', Date.parse('2026-03-27T23:00:00Z'), Date.parse('2026-03-30T22:00:00Z')],
  ['the autumn clock change', Date.parse('2026-10-23T22:00:00Z'), Date.parse('2026-10-26T23:00:00Z')],
  ['June 2026', Date.parse('2026-05-31T22:00:00Z'), Date.parse('2026-06-30T22:00:00Z')],
];
const FILTERS: Pick<StatsFilter, 'serviceSlug' | 'formTypeSlug'>[] = [
  {}, { serviceSlug: 'etat-civil' }, { serviceSlug: 'urbanisme' }, { formTypeSlug: 'acte-naissance' }, { formTypeSlug: 'bord-horloge' },
  { serviceSlug: 'etat-civil', formTypeSlug: 'acte-mariage' }, { serviceSlug: 'nulle-part' }, { formTypeSlug: 'declaration-travaux', serviceSlug: 'etat-civil' },
];

/** The agent's figures, for every filter and period, are those of the plain reading. */
async function expectPlainReading(code: string) {
  const agent = await agentByCode(h, code);
  for (const [, from, to] of PERIODS) {
    for (const filter of FILTERS) {
      const f = { groupIds: agent.groupIds, from, to, ...filter };
      expect(shown(await statisticsOf(h.db, f))).toEqual(shown(await rawStatisticsOf(h.db, f)));
    }
  }
}

test.each(['amartin', 'bdurand', 'cpetit', 'admin'])('the figures of %s equal the plain reading of every request, for every filter and period', expectPlainReading);

test('the figures are not empty: the comparison compares something', async () => {
  const admin = await agentByCode(h, 'admin');
  const s = await statisticsOf(h.db, { groupIds: admin.groupIds, from: now - 800 * DAY, to: now + DAY });
  expect(s.received).toBeGreaterThan(1500);
  for (const figure of [s.taken, s.closed, s.expired, s.held, s.remindersSent, s.timeToTake.count, s.timeToClose.count]) expect(figure).toBeGreaterThan(0);
  expect(s.byWrapUp.find((c) => c.code === 'ANCIEN_CODE')?.count).toBeGreaterThan(0);
  const spring = await statisticsOf(h.db, { groupIds: admin.groupIds, from: PERIODS[2][1], to: PERIODS[2][2], formTypeSlug: 'bord-horloge' });
  // Paris days: the 28th ends at 22:59:59 UTC (winter), the 29th at 21:59:59 UTC (summer);
  // each request is closed a day after its filing, the last one after the period.
  expect(spring.daily.filter((d) => d.received + d.closed > 0)).toEqual([
    { day: '2026-03-28', received: 1, closed: 0 }, { day: '2026-03-29', received: 4, closed: 0 }, { day: '2026-03-30', received: 1, closed: 5 },
  ]);
});

test('another group’s request, its hold, reminder and call count for its group’s members only', async () => {
  const june = { from: PERIODS[4][1], to: PERIODS[4][2] };
  const anne = await agentByCode(h, 'amartin');
  const bruno = await agentByCode(h, 'bdurand');
  expect(anne.groupIds).not.toContain(otherGroup);
  expect(bruno.groupIds).toContain(otherGroup);
  const mine = await statisticsOf(h.db, { groupIds: anne.groupIds, ...june, serviceSlug: 'etat-civil' });
  const theirs = await statisticsOf(h.db, { groupIds: [otherGroup], ...june });
  expect(theirs).toMatchObject({ received: 1, taken: 1, held: 1, remindersSent: 1 });
  expect(theirs.byWrapUp.find((c) => c.code === 'JOINT')?.count).toBe(1);
  const withTheirs = await statisticsOf(h.db, { groupIds: [...anne.groupIds, otherGroup], ...june, serviceSlug: 'etat-civil' });
  expect(withTheirs.received - mine.received).toBe(1);
  expect(withTheirs.held - mine.held).toBe(1);
  expect(withTheirs.remindersSent - mine.remindersSent).toBe(1);
});

describe('with the daily aggregates built (src/db/statisticsDays.ts)', () => {
  let built: { rows: number; untilDay: number };
  beforeAll(async () => {
    built = await refreshStatisticsDays(h.db);
  });

  test.each(['amartin', 'bdurand', 'cpetit', 'admin'])('the figures of %s, whole past days read from the aggregates, equal the plain reading for every filter and period', async (code) => {
    expect(built.rows).toBeGreaterThan(100);
    expect(built.untilDay).toBe(parisDayNumber(Date.now()));
    await expectPlainReading(code);
  });

  test('a past day changed after the rebuild shows after the next one; a request filed today counts at once', async () => {
    const anne = await agentByCode(h, 'amartin');
    const year = { groupIds: anne.groupIds, from: now - 365 * DAY, to: now + DAY };
    const moved = await h.db('requests').whereIn('group_id', anne.groupIds).where('created_at', '<', now - 40 * DAY).where('created_at', '>', now - 300 * DAY).whereNull('taken_at').first('id');
    await h.db('requests').where({ id: moved.id }).update({ group_id: otherGroup });
    // As it was at the rebuild: still counted in Anne's groups, while the requests say otherwise.
    expect((await statisticsOf(h.db, year)).received - (await rawStatisticsOf(h.db, year)).received).toBe(1);

    const before = await statisticsOf(h.db, year);
    await submitRequest(h, { formType: 'acte-naissance' });
    expect((await statisticsOf(h.db, year)).received).toBe(before.received + 1);

    await refreshStatisticsDays(h.db);
    expect(shown(await statisticsOf(h.db, year))).toEqual(shown(await rawStatisticsOf(h.db, year)));
  });
});
