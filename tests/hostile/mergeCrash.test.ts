// A merge whose worker is killed (SIGKILL) in the middle: a real worker process stops once
// the second of three requests is closed into the merge, and is killed there. Another
// worker takes over: the merge completes, exactly once (one new request, each source
// closed once, every message copied once, one e-mail). On SQLite and on MariaDB.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { merge } from '../../src/commands/merge';
import { findRequest } from '../../src/db/requests';
import { agentByCode } from '../support/factories';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { citizenOf, threadedRequests } from '../support/mergeFixtures';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const count = async (table: string, where: Record<string, unknown>) => Number((await h.db(table).where(where).count({ n: '*' }).first())?.n);

test('a worker killed mid-merge: another finishes it, and it happens exactly once', async () => {
  const started = Date.now();
  const phase = (what: string) => console.log(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const citizen = citizenOf('crash');
  const sources = await threadedRequests(h, citizen);
  const requestsBefore = await count('requests', {});
  await h.stopWorker();

  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, '../support/workerProcess.ts')], {
    env: { ...h.env, PAUSE_IN_MERGE: '2' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const output = (text: string) => new Promise<void>((resolve) => {
    const on = (chunk: Buffer) => {
      if (chunk.toString().includes(text)) {
        child.stdout!.off('data', on);
        resolve();
      }
    };
    child.stdout!.on('data', on);
  });
  await output('ready');
  phase('the second worker ready');
  const paused = output('paused');
  const amartin = await agentByCode(h, 'amartin');
  const asked = merge(h.ctx, amartin, { references: sources.map((s) => s.reference) });
  await paused;
  phase('paused in the merge');

  // In the middle: two sources closed into the merge, the third still open, nothing sent.
  const statuses = async () => Promise.all(sources.map(async (s) => (await findRequest(h.db, s.reference))!.status));
  expect(await statuses()).toEqual(['CLOTUREE', 'CLOTUREE', 'EN_ATTENTE']);
  expect((await h.db('merges').first('status')).status).toBe('PENDING');
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  phase('killed');
  await h.startWorker();
  const done = await waitFor(async () => {
    const row = await h.db('merges').first();
    return row.status === 'DONE' ? row : undefined;
  }, 180000, 'the merge to complete');
  phase('merge done');
  const answer = await asked;
  expect(['DONE', 'PENDING']).toContain(answer.status);

  // Exactly once: one new request, each source closed once, each message and file copied once, one e-mail.
  expect(await count('requests', {})).toBe(requestsBefore + 1);
  const newId = Number(done.new_request_id);
  expect(await statuses()).toEqual(['CLOTUREE', 'CLOTUREE', 'CLOTUREE']);
  for (const source of sources) {
    expect(await count('events', { request_id: source.id, type: 'MERGED_INTO' })).toBe(1);
    expect((await findRequest(h.db, source.reference))!.closing_code).toBe('DOUBLON');
  }
  expect(await count('messages', { request_id: newId })).toBe(3);
  expect(await count('attachments', { request_id: newId })).toBe(2);
  const merged = (await h.db('requests').where({ id: newId }).first('reference', 'status', 'tracking_code'));
  expect(merged.status).toBe('EN_COURS');
  await waitFor(async () => (await h.db('emails').where({ kind: 'MERGED', status: 'SENT' })).length === 1, 30000, 'the merge e-mail');
  await new Promise((r) => setTimeout(r, 1000));
  expect(h.mails.filter((m) => m.subject.includes(merged.reference))).toHaveLength(1);
  expect(await count('emails', { kind: 'MERGED' })).toBe(1);
  // The new request's workflow runs, once: an action on it is accepted.
  expect((await h.api('POST', `/api/requests/${merged.reference}/annotate`, h.tokens.amartin, { eventType: 'NOTE', comment: 'repris' })).status).toBe(200);
}, 300_000);
