import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { changeDelays } from '../src/commands/changeDelays';
import { splitWorkflowId } from '../workflows/split';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// Histories recorded from real runs are replayed against today's workflow code: a
// change that breaks determinism for requests already running fails here.
// `RECORD_HISTORIES=1 npx jest tests/replay.test.ts` records them afresh (only do so
// when an incompatible change is deliberate and versioned); `RECORD_HISTORIES=<name>[,<name>…]`
// records those scenarios alone (new ones).
const DIR = path.join(__dirname, 'histories');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const citizen = { firstName: 'Rosa', lastName: 'Bonheur', email: 'rosa.bonheur@example.org' };

const submit = async (formType: string) => (await submitRequest(h, { formType, citizen })).reference;

async function act(ref: string, action: string, token: string, body: object): Promise<void> {
  expect((await h.api('POST', `/api/requests/${ref}/${action}`, token, body)).status).toBe(200);
}

/** Runs each scenario of the lifecycle for real and returns the workflow ids. */
async function runScenarios(): Promise<Record<string, string>> {
  const full = await submit('acte-naissance');
  await act(full, 'take', h.tokens.amartin, { notifyCitizen: true, subject: 'Bien reçu' });
  await act(full, 'annotate', h.tokens.amartin, { eventType: 'NOTE', comment: 'note' });
  await act(full, 'prioritize', h.tokens.amartin, { priority: 'haute' });
  await act(full, 'hold', h.tokens.amartin, { reason: 'pièce' });
  await act(full, 'resume', h.tokens.amartin, {});
  // An expert group's opinion, answered; then one withdrawn.
  const urbanisme = Number((await h.db('groups').where({ name: 'Urbanisme' }).first('id')).id);
  for (const end of ['answer', 'withdraw'] as const) {
    const asked = await h.api('POST', `/api/requests/${full}/consultations`, h.tokens.amartin, { group: urbanisme, question: 'avis' });
    expect(asked.status).toBe(201);
    const [token, body] = end === 'answer' ? [h.tokens.cpetit, { answer: 'réponse' }] : [h.tokens.amartin, {}];
    expect((await h.api('POST', `/api/consultations/${asked.body.id}/${end}`, token, body)).status).toBe(200);
  }
  await act(full, 'reassign', h.tokens.amartin, { agent: 'bdurand' });
  await act(full, 'close', h.tokens.bdurand, { closingCode: 'TRAITEE', notifyCitizen: true });

  await changeDelays(h.ctx, 'acte-mariage', { unprocessedReminderMs: 1000, reminderEveryMs: 1000, deletionMs: 4000, deletionWarningMs: 2000 });
  const expired = await submit('acte-mariage');

  const holdUntil = await submit('signalement-voirie');
  await act(holdUntil, 'take', h.tokens.dleroy, { notifyCitizen: false });
  await act(holdUntil, 'hold', h.tokens.dleroy, { reason: 'x', until: new Date(Date.now() + 1500).toISOString() });

  // Callbacks (issue 13): planned, moved, cancelled, one fires at its hour back to its agent; a call logged.
  const callbacks = await submit('acte-naissance');
  await act(callbacks, 'take', h.tokens.bdurand, { notifyCitizen: false });
  const paris = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' }).format(ms).split(' ');
  const [day, soon] = paris(Date.now() + 3000);
  const [tomorrow] = paris(Date.now() + 86400_000);
  const plan = (body: object) => h.api('POST', `/api/requests/${callbacks}/callbacks`, h.tokens.amartin, body);
  expect((await plan({ date: day, time: soon, phone: '0612345678', reassignToMe: true })).status).toBe(201);
  const later = (await plan({ date: tomorrow, time: '10:00', phone: '0612345678' })).body.callbacks[1].id;
  expect((await h.api('PATCH', `/api/requests/${callbacks}/callbacks/${later}`, h.tokens.amartin, { date: tomorrow, time: '11:00' })).status).toBe(200);
  expect((await h.api('DELETE', `/api/requests/${callbacks}/callbacks/${later}`, h.tokens.amartin)).status).toBe(200);
  const { id: callbacksId } = await h.db('requests').where({ reference: callbacks }).first('id');
  await waitFor(async () => (await h.db('events').where({ request_id: callbacksId, type: 'REASSIGNED' }).first('id')) !== undefined, 20000, 'the callback fired');
  await act(callbacks, 'calls', h.tokens.amartin, { wrapUpCode: 'JOINT' });
  await act(callbacks, 'close', h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false });

  // Scinder (issue 14): the original closed by the split's Update, and the split's own workflow.
  const splitOriginal = await submit('acte-naissance');
  const parted = await h.api('POST', `/api/requests/${splitOriginal}/split`, h.tokens.amartin, { parts: [{ message: 'un' }, { message: 'deux' }] });
  expect(parted.status).toBe(200);
  const { id: splitOriginalId } = await h.db('requests').where({ reference: splitOriginal }).first('id');
  const splitWorkflow = splitWorkflowId(h.config.referencePrefix, (await h.db('splits').where({ original_request_id: splitOriginalId }).first('id')).id);
  await waitFor(async () => (await h.ctx.client.workflow.getHandle(splitWorkflow).describe()).status.name === 'COMPLETED', 20000, 'end of the split');

  // full-lifecycle.json was recorded before issue 16's patches (workflows/patches.ts); -patched after them.
  // expired.json was recorded before the paced reminders (workflows/mailOptions.ts), expired-paced.json after.
  // full-lifecycle-local-arrival.json: the arrival work as a local activity (PATCHES.localArrival).
  const ids = { 'full-lifecycle': full, 'full-lifecycle-patched': full, 'full-lifecycle-local-arrival': full, expired, 'expired-paced': expired, 'hold-until': holdUntil, callbacks, 'split-original': splitOriginal };
  for (const ref of Object.values(ids)) {
    const handle = h.ctx.client.workflow.getHandle(`request-${ref}`);
    await waitFor(async () => ref === holdUntil
      ? (await h.db('requests').where({ reference: ref }).first('status')).status === 'EN_COURS'
      : (await handle.describe()).status.name === 'COMPLETED', 20000, `end of scenario ${ref}`);
  }
  return { ...Object.fromEntries(Object.entries(ids).map(([name, ref]) => [name, `request-${ref}`])), split: splitWorkflow };
}

async function replay(histories: { workflowId: string; history: unknown }[]): Promise<(string | null)[]> {
  const results: (string | null)[] = [];
  const options = { workflowBundle: { codePath: process.env.GUICHET_TEST_BUNDLE! } };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    results.push(result.error ? `${result.workflowId}: ${String(result.error)}` : null);
  }
  return results;
}

test('histories of today\'s scenarios replay, and the recorded ones still do', async () => {
  const ids = await runScenarios();
  const fresh = await Promise.all(Object.entries(ids).map(async ([name, workflowId]) => {
    const history = await h.ctx.client.workflow.getHandle(workflowId).fetchHistory();
    if (process.env.RECORD_HISTORIES === '1' || process.env.RECORD_HISTORIES?.split(',').includes(name)) {
      fs.writeFileSync(path.join(DIR, `${name}.json`), JSON.stringify(history));
    }
    return { workflowId, history };
  }));
  expect(await replay(fresh)).toEqual(fresh.map(() => null));

  const recorded = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(recorded.sort()).toEqual(['callbacks.json', 'expired-paced.json', 'expired.json', 'full-lifecycle-local-arrival.json', 'full-lifecycle-patched.json', 'full-lifecycle.json', 'hold-until.json', 'split-original.json', 'split.json']);
  // fromObject, not the SDK's historyFromJSON, whose protobuf type checks fail under jest's module registry.
  const histories = recorded.map((f) => ({
    workflowId: f,
    history: temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'))),
  }));
  expect(await replay(histories)).toEqual(histories.map(() => null));
});
