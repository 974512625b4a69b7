// The list query sorts bare ids, then reads the page's requests whole: a page must be
// exactly the slice of the whole list that one joined query (the exports') gives.
import { seedRequests } from '../bench/backofficeSeed';
import { loadAgent, type Agent } from '../src/db/agents';
import { SORTS, countRequests, idsMatching, searchRequests, streamRequests, type Direction, type ListedRequest, type RequestFilter } from '../src/db/requestSearch';
import { searchable } from '../src/search/normalize';
import { updateDelays } from '../src/db/formTypes';
import { deleteNameWords, writeNameWords } from '../src/db/nameWords';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
let admin: Agent;
const NOW = Date.now();

beforeAll(async () => {
  h = await startHarness({ worker: false });
  await seedRequests(h.db, { count: 600, mix: 'realistic' });
  const { id } = (await h.db('agents').where({ code: 'admin' }).first('id')) as { id: number };
  admin = (await loadAgent(h.db, id))!;
});
afterAll(() => h?.close());

async function wholeList(f: RequestFilter, sort: (typeof SORTS)[number], dir: Direction): Promise<ListedRequest[]> {
  const rows: ListedRequest[] = [];
  for await (const row of streamRequests(h.db, f, sort, dir, NOW) as AsyncIterable<ListedRequest>) {
    rows.push(row);
  }
  return rows;
}

const FILTERS: Record<string, Omit<RequestFilter, 'groupIds'>> = {
  'open requests': {},
  'every status': { statuses: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE', 'CLOTUREE'] },
  'a name and a form type': { name: 'a', formTypeSlug: 'acte-naissance' },
  'overdue ones of a service': { overdue: true, serviceSlug: 'etat-civil' },
  // Every one has a due date: the due order reads the deadline index as it is.
  'unprocessed ones': { statuses: ['NON_TRAITEE'] },
  // Holds without a date: last either way.
  'on hold': { statuses: ['EN_ATTENTE'] },
};

test.each(Object.keys(FILTERS))('%s: every sort, both ways, pages are slices of the whole list', async (label) => {
  const f: RequestFilter = { groupIds: admin.groupIds, ...FILTERS[label] };
  const total = await countRequests(h.db, f, NOW);
  expect(total).toBeGreaterThan(5);
  for (const sort of SORTS) {
    for (const dir of ['asc', 'desc'] as const) {
      const whole = await wholeList(f, sort, dir);
      expect(whole).toHaveLength(total);
      expect(await idsMatching(h.db, f, sort, dir, NOW)).toEqual(whole.map((r) => r.id));
      const pageSize = Math.ceil(total / 3);
      for (const page of [1, 2, 3, 4]) {
        const got = await searchRequests(h.db, f, { sort, dir, page, pageSize }, NOW);
        // A page has the citizens' names besides (the exports' rows do not).
        const rows = got.rows.map(({ citizen_first_name: _first, citizen_last_name: _last, ...r }) => r);
        expect({ sort, dir, page, total: got.total, rows }).toEqual({
          sort, dir, page, total, rows: whole.slice((page - 1) * pageSize, page * pageSize),
        });
      }
    }
  }
});

test('the name sort: by last name then first name, both ways; purged requests (no name) last either way; names read in the same query', async () => {
  const f: RequestFilter = { groupIds: admin.groupIds, statuses: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE', 'CLOTUREE'] };
  const total = await countRequests(h.db, f, NOW);
  for (const dir of ['asc', 'desc'] as const) {
    const queries: string[] = [];
    const count = (q: { sql: string }) => queries.push(q.sql);
    h.db.on('query', count);
    const { rows } = await searchRequests(h.db, f, { sort: 'name', dir, page: 1, pageSize: total }, NOW);
    h.db.off('query', count);
    // The ids of the page, the count, the rows with their names: no query per row.
    expect(queries.length).toBe(3);
    const named = rows.filter((r) => r.purged_at === null);
    const purged = rows.filter((r) => r.purged_at !== null);
    expect(named.length).toBeGreaterThan(5);
    expect(purged.length).toBeGreaterThan(0);
    expect(rows.slice(named.length).every((r) => r.purged_at !== null && r.citizen_last_name === null)).toBe(true);
    // Accents ignored: « Éric » among the E's, « Lefèvre » beside « Lefebvre », on both databases.
    const keys = named.map((r) => searchable(`${r.citizen_last_name} ${r.citizen_first_name}`));
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0) * (dir === 'asc' ? 1 : -1));
    expect(keys).toEqual(sorted);
  }
});

test('the search by name: every word, accents and case ignored, hyphens and apostrophes as word breaks, by word start, in the agent\'s queues only', async () => {
  const open = await h.db('requests as r').join('request_personal as p', 'p.request_id', 'r.id')
    .whereIn('r.status', ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE']).orderBy('r.id').limit(4).select('r.id', 'r.group_id');
  const names = [['Jean-Pierre', 'Dupontel'], ['Patrick', 'O’Neil-Ängström'], ['Anne', 'de la Tourelle'], ['Zoé', 'Delatour']];
  for (const [i, [first, last]] of names.entries()) {
    await h.db.transaction(async (trx) => {
      await trx('request_personal').where({ request_id: open[i].id }).update({ first_name: first, last_name: last });
      await deleteNameWords(trx, open[i].id);
      await writeNameWords(trx, open[i].id, open[i].group_id, first, last);
    });
  }
  const ids = open.map((r: { id: number }) => Number(r.id));
  const found = async (name: string) => {
    const { rows } = await searchRequests(h.db, { groupIds: admin.groupIds, name }, { sort: 'date', dir: 'asc', page: 1, pageSize: 100 }, NOW);
    return rows.map((r) => ids.indexOf(r.id)).filter((i) => i >= 0);
  };
  expect(await found('dupontel')).toEqual([0]);
  expect(await found('DUP')).toEqual([0]);
  expect(await found('pierre dupontel')).toEqual([0]);
  expect(await found('angstrom')).toEqual([1]);
  expect(await found('neil patrick')).toEqual([1]);
  expect(await found('de la tourelle')).toEqual([2]);
  expect(await found('zoe delatour')).toEqual([3]);
  expect(await found('dupontel zoe')).toEqual([]);
  expect(await found('tourelle')).toEqual([2]);
  // Inside a word: the index knows words by their start.
  expect(await found('pontel')).toEqual([]);
  // Nothing to look for: no filter.
  const nothing = await searchRequests(h.db, { groupIds: admin.groupIds, name: ' - ' }, { sort: 'date', dir: 'asc', page: 1, pageSize: 1 }, NOW);
  expect(nothing.total).toBe(await countRequests(h.db, { groupIds: admin.groupIds }, NOW));
  // Another queue's agent does not find them.
  const elsewhere = await h.db('groups').whereNot({ id: open[0].group_id }).first('id');
  const inOtherQueue = async (name: string) => (await searchRequests(h.db, { groupIds: [elsewhere.id], name }, { sort: 'date', dir: 'asc', page: 1, pageSize: 100 }, NOW)).rows.map((r) => r.id);
  expect(await inOtherQueue('dupontel')).toEqual([]);
});

test('a search by name reads its matches once: the page and its total from one query, then the rows', async () => {
  const f: RequestFilter = { groupIds: admin.groupIds, name: 'a', statuses: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE', 'CLOTUREE'] };
  const total = await countRequests(h.db, f, NOW);
  expect(total).toBeGreaterThan(5);
  const queries: string[] = [];
  const count = (q: { sql: string }) => queries.push(q.sql);
  h.db.on('query', count);
  const got = await searchRequests(h.db, f, { sort: 'date', dir: 'desc', page: 2, pageSize: 2 }, NOW);
  h.db.off('query', count);
  expect(queries).toHaveLength(2);
  expect(got.total).toBe(total);
  expect(got.rows.map((r) => r.id)).toEqual((await idsMatching(h.db, f, 'date', 'desc', NOW)).slice(2, 4));
});

test('a search by reference or tracking code, which finds one request at most, says its total from the same query as its page', async () => {
  const one: { id: number; reference: string; tracking_code: string } = await h.db('requests').whereIn('group_id', admin.groupIds).orderBy('id').first('id', 'reference', 'tracking_code');
  const queriesOf = async (f: RequestFilter) => {
    const queries: string[] = [];
    const count = (q: { sql: string }) => queries.push(q.sql);
    h.db.on('query', count);
    const got = await searchRequests(h.db, f, { sort: 'date', dir: 'desc', page: 1, pageSize: 25 }, NOW);
    h.db.off('query', count);
    return { queries: queries.length, total: got.total, ids: got.rows.map((r) => r.id) };
  };
  const scope: RequestFilter = { groupIds: admin.groupIds, statuses: ['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE', 'CLOTUREE'] };
  // The page's id with its total, then the row.
  expect(await queriesOf({ ...scope, reference: one.reference.toLowerCase() })).toEqual({ queries: 2, total: 1, ids: [one.id] });
  expect(await queriesOf({ ...scope, reference: String(one.id) })).toEqual({ queries: 2, total: 1, ids: [one.id] });
  expect(await queriesOf({ ...scope, trackingCode: one.tracking_code })).toEqual({ queries: 2, total: 1, ids: [one.id] });
  // Nothing found: one query, no rows to read.
  expect(await queriesOf({ ...scope, reference: 'DEM-1999-000000' })).toEqual({ queries: 1, total: 0, ids: [] });
});

/** The deadlines of every open request as its form type's delays give them now. */
async function deadlinesAsComputed(): Promise<{ id: number; due_at: number | null; remind_at: number | null }[]> {
  const rows: Record<string, number | string | null>[] = await h.db('requests as r').join('form_types as f', 'f.id', 'r.form_type_id')
    .whereNot('r.status', 'CLOTUREE').orderBy('r.id')
    .select('r.id', 'r.status', 'r.created_at', 'r.status_since', 'r.updated_at', 'r.hold_until', 'f.deletion_ms', 'f.unprocessed_reminder_ms', 'f.in_progress_reminder_ms');
  const n = (v: number | string | null) => Number(v);
  return rows.map((r) => {
    const since = n(r.status_since ?? r.updated_at);
    switch (r.status) {
      case 'NON_TRAITEE': return { id: n(r.id), due_at: n(r.created_at) + n(r.deletion_ms), remind_at: n(r.created_at) + n(r.unprocessed_reminder_ms) };
      case 'EN_COURS': return { id: n(r.id), due_at: since + n(r.in_progress_reminder_ms), remind_at: since + n(r.in_progress_reminder_ms) };
      default: return { id: n(r.id), due_at: r.hold_until === null ? null : n(r.hold_until), remind_at: null };
    }
  });
}

const stored = async () => (await h.db('requests').whereNot('status', 'CLOTUREE').orderBy('id').select('id', 'due_at', 'remind_at'))
  .map((r: Record<string, number | string | null>) => ({ id: Number(r.id), due_at: r.due_at === null ? null : Number(r.due_at), remind_at: r.remind_at === null ? null : Number(r.remind_at) }));

test('the stored deadlines are those of the form types’ delays, and follow a change of delays at once', async () => {
  const before = await stored();
  expect(before).toEqual(await deadlinesAsComputed());
  const formType = (await h.db('form_types').where({ slug: 'acte-naissance' }).first('id', 'deletion_ms')) as { id: number; deletion_ms: number };
  await updateDelays(h.db, formType.id, { deletion_ms: Number(formType.deletion_ms) + 86_400_000, in_progress_reminder_ms: 3_600_000 });
  const after = await stored();
  expect(after).toEqual(await deadlinesAsComputed());
  // The open requests of that form type moved (unprocessed: a day later; in progress: an hour after their take).
  expect(after.filter((r, i) => r.due_at !== before[i].due_at).length).toBeGreaterThan(10);
});
