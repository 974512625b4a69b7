import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { startPendingWorkflows, submit } from '../src/commands/submit';
import { startHarness, waitFor, type Harness } from './support/harness';
import { orphanFiling } from './support/rawRows';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const citizen = { firstName: 'Olympe', lastName: 'de Gouges', email: 'olympe@example.org' };

test('a request filed by a process that died before starting its workflow is started by the sweep', async () => {
  // What a crash right after the insert leaves behind: rows, no workflow.
  const orphan = await orphanFiling(h, { citizen, at: Date.now() - 120_000 });
  const fresh = await submit(h.ctx, { formType: 'acte-naissance', citizen, answers: {} });
  expect(await h.db('requests').where({ reference: fresh.reference }).first('workflow_started')).toMatchObject({ workflow_started: 1 });

  expect(await startPendingWorkflows(h.ctx)).toBe(1);
  await waitFor(() => h.mails.some((m) => m.subject === `Votre demande ${orphan.reference} a bien été reçue`), 15000, 'receipt of the recovered request');
  const took = await h.api('POST', `/api/requests/${orphan.reference}/take`, h.tokens.amartin, { notifyCitizen: false });
  expect(took.body.status).toBe('EN_COURS');
  expect(await startPendingWorkflows(h.ctx)).toBe(0);
});

test('when the workflow cannot be started, the request is not filed at all', async () => {
  const count = async () => Number((await h.db('requests').count({ n: '*' }).first())?.n);
  const before = await count();
  // A real client whose server is gone: nothing listens on port 1.
  const connection = Connection.lazy({
    address: '127.0.0.1:1',
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 1 }))],
  });
  const unreachable = { ...h.ctx, client: new Client({ connection }) };
  await expect(submit(unreachable, { formType: 'acte-naissance', citizen, answers: {} })).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  await connection.close();
  expect(await count()).toBe(before);
});
