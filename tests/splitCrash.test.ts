// A split is one durable workflow: a worker killed (SIGKILL) in the middle of it is replaced
// by another that carries on, and the split ends whole, once: two parts, the original
// closed as SCINDEE, one e-mail to the citizen.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { split } from '../src/commands/split';
import { CommandError } from '../src/commands/errors';
import { agentByCode, CITIZEN, moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

/** A worker of its own process (as `npm run worker`), that the test kills. */
async function workerProcess() {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'support/workerProcess.ts')], { env: h.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { kill: async () => { child.kill('SIGKILL'); await exited; } };
}

type Moment = 'its parts are written' | 'the original is closed';
const reached: Record<Moment, (originalId: number) => Promise<boolean>> = {
  'its parts are written': async (id) => Boolean((await h.db('splits').where({ original_request_id: id }).first())?.first_request_id),
  'the original is closed': async (id) => (await h.db('requests').where({ id }).first()).closing_code === 'SCINDEE',
};

test.each(['its parts are written', 'the original is closed'] as Moment[])('a worker killed once %s: another one completes the split, exactly once', async (moment) => {
  await h.startWorker();
  const filed = await submitRequest(h);
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  await h.stopWorker();
  const requestsBefore = Number((await h.db('requests').count({ n: '*' }).first())!.n);
  const mailsBefore = h.mails.length;

  const doomed = await workerProcess();
  const asked = split(h.ctx, await agentByCode(h, 'amartin'), filed.reference, { parts: [{ message: 'Première partie.' }, { message: 'Seconde partie.' }] })
    .then(() => 'done', (err: CommandError) => err.code);
  await waitFor(() => reached[moment](filed.id), 30000, moment);
  await doomed.kill();
  await h.startWorker();

  // The agent is told it is done, or (the wait outlived) that it goes on by itself.
  expect(['done', 'SPLIT_UNCONFIRMED']).toContain(await asked);
  const row = await waitFor(async () => {
    const r = await h.db('splits').where({ original_request_id: filed.id }).first();
    return r?.status === 'DONE' ? r : undefined;
  }, 90000, 'the split done');
  expect(Number((await h.db('requests').count({ n: '*' }).first())!.n)).toBe(requestsBefore + 2);
  expect(await h.db('splits').where({ original_request_id: filed.id })).toHaveLength(1);
  expect(await requestRow(h, filed.reference)).toMatchObject({ status: 'CLOTUREE', closing_code: 'SCINDEE' });
  for (const id of [row.first_request_id, row.second_request_id]) {
    const part = await waitFor(async () => {
      const r = await h.db('requests').where({ id }).first();
      return r.status === 'EN_COURS' ? r : undefined;
    }, 30000, 'a part under way');
    expect(part.assignee_id).toBe((await agentByCode(h, 'amartin')).id);
    // One copy of the thread and one message of its own: the retried step wrote nothing twice.
    expect(await h.db('messages').where({ request_id: id }).whereNull('source_reference')).toHaveLength(1);
    expect((await h.db('events').where({ request_id: id }).orderBy('seq')).map((e) => e.type)).toEqual(['SUBMITTED', 'TAKEN']);
  }
  await waitFor(() => h.mails.slice(mailsBefore).some((m) => m.subject.startsWith(`Votre demande ${filed.reference}`)), 60000, 'the split e-mail');
  await new Promise((resolve) => setTimeout(resolve, 500)); // a second copy would have come with the first
  expect(h.mails.slice(mailsBefore).filter((m) => m.to.includes(CITIZEN.email!))).toHaveLength(1);
  await h.stopWorker();
});
