// « Fusionner » (issue 14): several open requests of one citizen into a new one, through
// the merge workflow; its refusals; « Annuler la fusion »; the purge afterwards. On SQLite
// and on MariaDB (DATABASE_URL).
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { insertMessage } from '../src/db/messages';
import { findRequest } from '../src/db/requests';
import { agentByCode, moveTo, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { citizenOf, threadedRequests } from './support/mergeFixtures';
import { storedBytes, storedFileCount } from './support/storedFiles';
import { mergeWorkflowIdOf } from '../workflows/mergeDefinitions';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const row = async (reference: string) => (await findRequest(h.db, reference))!;
const merge = (references: string[], token = h.tokens.amartin) => h.api('POST', '/api/merges', token, { references });
const eventsOf = async (id: number) => h.db('events as e').leftJoin('comments as c', 'c.id', 'e.comment_id').where('e.request_id', id).orderBy('e.seq').select('e.type', 'c.body');

/** What a refused merge must leave as it was: every request's state, and every row a merge writes. */
async function everything() {
  const requests = await h.db('requests').orderBy('id').select('reference', 'status', 'assignee_id', 'closing_code', 'version');
  const count = async (table: string) => Number((await h.db(table).count({ n: '*' }).first())?.n);
  // (Not the e-mails: the receipts of the requests just filed go out meanwhile.)
  return { requests, events: await count('events'), messages: await count('messages'), attachments: await count('attachments'), comments: await count('comments'), merges: await count('merges') };
}

test('three requests merged: one new request with every message and file in time order, the originals DOUBLON, one e-mail, the old tracking codes lead to it', async () => {
  const citizen = citizenOf('trois');
  const sources = await threadedRequests(h, citizen);
  const references = sources.map((s) => s.reference);
  const res = await merge(references);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ status: 'DONE' });
  const merged = await row(res.body.reference);
  expect(references).not.toContain(merged.reference);
  // Assigned to the agent who merged, under way.
  expect(merged).toMatchObject({ status: 'EN_COURS', assignee_code: 'amartin', closing_code: null });
  expect((await eventsOf(merged.id)).map((e) => [e.type, e.body])).toEqual([['MERGED_FROM', references.join(', ')]]);

  // Every message, in time order, each marked with the request it came from.
  const messages = await h.db('messages').where({ request_id: merged.id }).orderBy('created_at').orderBy('id').select('body', 'author', 'visible', 'source_reference');
  expect(messages.map((m) => [m.source_reference, m.body])).toEqual([
    [references[0], `Message de l'agent sur ${references[0]}`],
    [references[1], `Message de l'usager sur ${references[1]}`],
    [references[2], `Note interne sur ${references[2]}`],
  ]);
  expect(messages.map((m) => [m.author, Boolean(m.visible)])).toEqual([['AGENT', true], ['CITIZEN', true], ['AGENT', false]]);
  // The files: copies of their own (the purge of one request must not take another's).
  const files = await h.db('attachments').where({ request_id: merged.id }).orderBy('id');
  expect(files.map((f) => [f.file_name, f.source_reference, f.message_id === null])).toEqual([
    ['formulaire-1.pdf', references[0], true],
    ['piece-message-1.pdf', references[0], false],
  ]);
  const originals = await h.db('attachments').where({ request_id: sources[0].id }).orderBy('id');
  for (const [i, f] of files.entries()) {
    expect(f.storage_name).not.toBe(originals[i].storage_name);
    expect(await storedBytes(h, f)).toEqual(await storedBytes(h, originals[i]));
  }

  // Each original: closed as a duplicate, « fusionnée dans … », its thread kept (the merge can still be undone).
  for (const source of sources) {
    expect(await row(source.reference)).toMatchObject({ status: 'CLOTUREE', closing_code: 'DOUBLON', purged_at: null });
    expect((await eventsOf(source.id)).at(-1)).toEqual({ type: 'MERGED_INTO', body: `fusionnée dans ${merged.reference}` });
  }
  expect(await h.db('messages').where({ request_id: sources[1].id })).toHaveLength(1);

  // One e-mail to the citizen, with the new reference and tracking code.
  const mail = await waitFor(() => h.mails.find((m) => m.subject.includes(merged.reference)), 15000, 'the merge e-mail');
  expect(mail.to).toEqual([citizen.email]);
  expect(mail.text).toContain(merged.tracking_code);
  for (const reference of references) {
    expect(mail.text).toContain(reference);
  }
  expect(await h.db('emails').where({ kind: 'MERGED' }).whereIn('request_id', [merged.id, ...sources.map((s) => s.id)])).toHaveLength(1);

  // The old tracking codes lead to the new request.
  for (const source of sources) {
    const page = await fetch(`${h.baseUrl}/suivi?code=${source.trackingCode}`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/suivi?code=${encodeURIComponent(merged.tracking_code)}`);
  }
  const followed = await fetch(`${h.baseUrl}/suivi?code=${sources[2].trackingCode}`);
  expect(await followed.text()).toContain(merged.reference);

  // An action on the new request makes the merge final: the originals forget the citizen.
  expect((await h.api('POST', `/api/requests/${merged.reference}/annotate`, h.tokens.amartin, { eventType: 'NOTE', comment: 'vu' })).status).toBe(200);
  for (const source of sources) {
    await waitFor(async () => (await row(source.reference)).purged_at, 20000, `the purge of ${source.reference}`);
    expect(await h.db('messages').where({ request_id: source.id })).toHaveLength(0);
  }
  expect(await h.db('messages').where({ request_id: merged.id })).toHaveLength(3);
  expect((await h.api('POST', `/api/requests/${merged.reference}/unmerge`, h.tokens.amartin)).body.error.code).toBe('MERGE_NOT_UNDOABLE');
});

test('refusals: different citizens, a closed request, another group\'s request, too few; nothing changes', async () => {
  const amartin = await agentByCode(h, 'amartin');
  const a = await submitRequest(h, { citizen: citizenOf('a') });
  const b = await submitRequest(h, { citizen: citizenOf('b') });
  const same = citizenOf('meme');
  const open = await submitRequest(h, { citizen: same });
  const closed = await submitRequest(h, { citizen: same });
  await moveTo(h, closed.reference, 'CLOTUREE', { agent: amartin });
  const urbanisme = await submitRequest(h, { citizen: same, formType: 'declaration-travaux' });
  const before = await everything();

  const cases: [string[], number, string, string?][] = [
    [[a.reference, b.reference], 409, 'MERGE_DIFFERENT_CITIZENS'],
    [[open.reference, closed.reference], 409, 'MERGE_SOURCE_CLOSED', closed.reference],
    [[open.reference, urbanisme.reference], 403, 'MERGE_OTHER_GROUP', urbanisme.reference],
    [[open.reference], 400, 'INVALID_INPUT'],
    [[open.reference, open.reference], 400, 'MERGE_TOO_FEW'],
    [[open.reference, 'DEM-0000-999999'], 404, 'MERGE_UNKNOWN_REQUEST'],
  ];
  for (const [references, status, code, named] of cases) {
    const res = await merge(references);
    expect({ references, status: res.status, code: res.body.error?.code }).toEqual({ references, status, code });
    if (named) {
      expect(res.body.error.message).toContain(named);
    }
  }
  // Malformed bodies change nothing either.
  for (const body of [{}, { references: 'x' }, { references: [1, 2] }, null]) {
    expect((await h.api('POST', '/api/merges', h.tokens.amartin, body)).status).toBe(400);
  }
  // A partner key may not merge.
  expect((await h.api('POST', '/api/merges', h.partnerKey, { references: [open.reference, closed.reference] })).status).toBe(403);
  expect(await everything()).toEqual(before);
  expect(await h.db('emails').where({ kind: 'MERGED' })).toHaveLength(1); // the first test's only
});

test('« Annuler la fusion » while untouched restores the originals as they were and withdraws the new request; refused once touched', async () => {
  const sources = await threadedRequests(h, citizenOf('annuler'));
  const before = await Promise.all(sources.map(async (s) => {
    const r = await row(s.reference);
    return { status: r.status, assignee: r.assignee_code, messages: await h.db('messages').where({ request_id: s.id }).select('body') };
  }));
  expect(before.map((b) => b.status)).toEqual(['EN_COURS', 'NON_TRAITEE', 'EN_ATTENTE']);
  const res = await merge(sources.map((s) => s.reference));
  expect(res.status).toBe(201);
  // Another group's agent may not undo it.
  expect((await h.api('POST', `/api/requests/${res.body.reference}/unmerge`, h.tokens.cpetit)).status).toBe(403);

  const undone = await h.api('POST', `/api/requests/${res.body.reference}/unmerge`, h.tokens.amartin);
  expect(undone.status).toBe(200);
  expect(undone.body).toEqual({ status: 'UNDONE', references: sources.map((s) => s.reference) });
  const after = await Promise.all(sources.map(async (s) => {
    const r = await row(s.reference);
    return { status: r.status, assignee: r.assignee_code, messages: await h.db('messages').where({ request_id: s.id }).select('body') };
  }));
  expect(after).toEqual(before);
  for (const source of sources) {
    expect(await row(source.reference)).toMatchObject({ closing_code: null, closed_at: null, purged_at: null });
    expect((await eventsOf(source.id)).map((e) => e.type).slice(-2)).toEqual(['MERGED_INTO', 'MERGE_UNDONE']);
    // The tracking code is the request's own again.
    expect((await fetch(`${h.baseUrl}/suivi?code=${source.trackingCode}`, { redirect: 'manual' })).status).toBe(200);
  }
  // The new one is withdrawn, then forgets the citizen.
  expect(await row(res.body.reference)).toMatchObject({ status: 'CLOTUREE', closing_code: 'SANS_SUITE' });
  await waitFor(async () => (await row(res.body.reference)).purged_at, 20000, 'the purge of the withdrawn request');
  expect((await h.api('POST', `/api/requests/${res.body.reference}/unmerge`, h.tokens.amartin)).body.error.code).toBe('MERGE_NOT_UNDOABLE');
  // The originals live on: an action on one is accepted, and they can be merged again.
  expect((await h.api('POST', `/api/requests/${sources[1].reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  const again = await merge(sources.map((s) => s.reference));
  expect(again.status).toBe(201);

  // Touched by a message: the undo is refused, nothing changes.
  const merged = await row(again.body.reference);
  await insertMessage(h.db, { requestId: merged.id, author: 'AGENT', agentId: merged.assignee_id, visible: false, final: false, body: 'note après la fusion' });
  const refused = await h.api('POST', `/api/requests/${again.body.reference}/unmerge`, h.tokens.amartin);
  expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'MERGE_TOUCHED' });
  expect(await row(again.body.reference)).toMatchObject({ status: 'EN_COURS' });
  expect(await row(sources[0].reference)).toMatchObject({ status: 'CLOTUREE', closing_code: 'DOUBLON' });
});

test('after the purge of a merged request, nothing personal remains of it or of its sources: database, files, workflow histories', async () => {
  const secrets = { firstName: 'Zébulonne', lastName: 'Quasifusion', email: 'zebulonne.quasifusion@example.org', phone: '07 11 22 33 44', message: 'message-très-privé-fusion' };
  const leaks = (text: string) => Object.values(secrets).filter((s) => text.includes(s));
  const citizen = { firstName: secrets.firstName, lastName: secrets.lastName, email: secrets.email, phone: secrets.phone };
  const sources = await threadedRequests(h, citizen);
  await insertMessage(h.db, { requestId: sources[1].id, author: 'CITIZEN', agentId: null, visible: true, final: false, body: secrets.message });
  const res = await merge(sources.map((s) => s.reference));
  expect(res.status).toBe(201);
  const merged = await row(res.body.reference);
  expect(leaks(JSON.stringify(await h.db('messages').where({ request_id: merged.id })))).toEqual([secrets.message]);
  expect((await h.api('POST', `/api/requests/${merged.reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
  const ids = [merged.id, ...sources.map((s) => s.id)];
  for (const id of ids) {
    await waitFor(async () => (await h.db('requests').where({ id }).first('purged_at')).purged_at, 30000, `the purge of request ${id}`);
    expect(await storedFileCount(h, [id])).toBe(0);
  }
  for (const table of ['requests', 'request_personal', 'comments', 'events', 'email_contents', 'messages', 'attachments', 'merges', 'merge_sources', 'callbacks']) {
    const rows = await h.db(table).select('*');
    expect({ table, leaks: leaks(JSON.stringify(rows)) }).toEqual({ table, leaks: [] });
  }
  // The workflow histories (the requests', the merge's) never held any of it.
  const readable = (value: unknown) => JSON.stringify(value, (key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    return key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v;
  });
  const mergeRow = await h.db('merges').where({ new_request_id: merged.id }).first('id');
  const workflowIds = [...[merged.reference, ...sources.map((s) => s.reference)].map((r) => `request-${r}`), mergeWorkflowIdOf(h.config.referencePrefix, mergeRow.id)];
  for (const workflowId of workflowIds) {
    const handle = h.ctx.client.workflow.getHandle(workflowId);
    await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 20000, `${workflowId} completed`);
    const history = readable(await handle.fetchHistory());
    expect(history.includes('MERGED_INTO') || history.includes('mergeId')).toBe(true);
    expect({ workflowId, leaks: leaks(history) }).toEqual({ workflowId, leaks: [] });
  }
});

// Histories of a merge undone and of a merge made final (the merge workflow's, a source's,
// the new request's) replay against today's code; `RECORD_HISTORIES=merge` records them
// under tests/histories/merge/, and the recorded ones must replay too.
test('the histories of merges replay', async () => {
  const undone = await threadedRequests(h, citizenOf('rejeu-a'));
  const first = await merge(undone.map((s) => s.reference));
  expect((await h.api('POST', `/api/requests/${first.body.reference}/unmerge`, h.tokens.amartin)).status).toBe(200);
  const final = await threadedRequests(h, citizenOf('rejeu-b'));
  const second = await merge(final.map((s) => s.reference));
  expect((await h.api('POST', `/api/requests/${second.body.reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
  const mergeIdOf = async (reference: string) => (await h.db('merges as m').join('requests as r', 'r.id', 'm.new_request_id').where('r.reference', reference).first('m.id')).id;
  const ids: Record<string, string> = {
    'merge-undone': mergeWorkflowIdOf(h.config.referencePrefix, await mergeIdOf(first.body.reference)),
    'source-undone': `request-${undone[2].reference}`,
    'withdrawn': `request-${first.body.reference}`,
    'merge-final': mergeWorkflowIdOf(h.config.referencePrefix, await mergeIdOf(second.body.reference)),
    'source-final': `request-${final[0].reference}`,
    'merged-closed': `request-${second.body.reference}`,
  };
  const dir = path.join(__dirname, 'histories', 'merge');
  const fresh = [];
  for (const [name, workflowId] of Object.entries(ids)) {
    const handle = h.ctx.client.workflow.getHandle(workflowId);
    if (name !== 'source-undone') {
      await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 30000, `${workflowId} completed`);
    }
    const history = await handle.fetchHistory();
    if (process.env.RECORD_HISTORIES === 'merge') {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(history));
    }
    fresh.push({ workflowId, history });
  }
  const recorded = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({
    workflowId: f, history: temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
  })) : [];
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.GUICHET_TEST_BUNDLE! } }, [...fresh, ...recorded])) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
});
