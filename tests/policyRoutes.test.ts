// The policy as the routes and the API apply it: the refusals of tests/policies.unit.test.ts,
// through the real HTTP server and database.
import { createService } from '../src/commands/admin/createService';
import { CommandError } from '../src/commands/errors';
import { loadAgent } from '../src/db/agents';
import { insertBulkJob } from '../src/db/bulkJobs';
import { findRequest } from '../src/db/requests';
import { t } from '../src/i18n';
import { createScopedKey } from '../src/partners/keys';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let reference: string;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  // État civil's request: amartin's service, not cpetit's (urbanisme).
  const res = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance', citizen: { firstName: 'Paule', lastName: 'Politique', email: 'paule@example.org' }, answers: {},
  });
  expect(res.status).toBe(201);
  reference = res.body.reference;
});
afterAll(async () => {
  await h?.close();
});

const browser = async (code: string) => {
  const client = webClient(h.baseUrl, '10.7.7.7');
  expect((await client.login(code)).status).toBe(303);
  return client;
};

describe('another service’s request', () => {
  test('over the API: 403 to an agent of another service, read by one of its own', async () => {
    const refused = await h.api('GET', `/api/requests/${reference}`, h.tokens.cpetit);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'FORBIDDEN', message: t('errors.FORBIDDEN') });
    const take = await h.api('POST', `/api/requests/${reference}/take`, h.tokens.cpetit, { notifyCitizen: false });
    expect(take.status).toBe(403);
    expect((await findRequest(h.db, reference))?.status).toBe('NON_TRAITEE');
    expect((await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin)).status).toBe(200);
  });

  test('on the web: 403 with the French reason', async () => {
    const cpetit = await browser('cpetit');
    const page = await cpetit.call('GET', `/demandes/${reference}`);
    expect(page.status).toBe(403);
    expect(page.text).toContain(t('errors.FORBIDDEN'));
    const entry = await cpetit.call('GET', '/saisie/acte-naissance');
    expect(entry.status).toBe(403);
    const amartin = await browser('amartin');
    expect((await amartin.call('GET', `/demandes/${reference}`)).status).toBe(200);
    expect((await amartin.call('GET', '/saisie/acte-naissance')).status).toBe(200);
  });
});

describe('a partner key', () => {
  test('reads and files only its form types: another’s request is « not found »', async () => {
    const { secret } = await createScopedKey(h.db, 'Mariages seulement', ['acte-mariage']);
    const read = await h.api('GET', `/api/requests/${reference}`, secret);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('NOT_FOUND');
    const filed = await h.api('POST', '/api/requests', secret, {
      formType: 'acte-naissance', citizen: { firstName: 'Hors', lastName: 'Champ', email: 'hors@example.org' }, answers: {},
    });
    expect(filed.status).toBe(403);
    expect(filed.body.error).toEqual({ code: 'FORM_TYPE_NOT_ALLOWED', field: 'formType', message: t('errors.FORM_TYPE_NOT_ALLOWED', { value: 'acte-naissance' }) });
    const listed = await h.api('GET', '/api/form-types', secret);
    expect(listed.body.map((f: { slug: string }) => f.slug)).toEqual(['acte-mariage']);
    expect((await h.api('GET', `/api/requests/${reference}`, h.partnerKey)).status).toBe(200);
  });
});

describe('administration', () => {
  test('an agent on /admin gets a 403; an administrator in the « Administrer » role gets the page', async () => {
    const amartin = await browser('amartin');
    const refused = await amartin.call('GET', '/admin/services');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(t('ui.admin.forbidden'));
    const admin = await browser('admin');
    await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
    expect((await admin.call('GET', '/admin/services')).status).toBe(200);
  });

  test('an administration command refuses an agent who is not an administrator, and writes nothing', async () => {
    const amartin = (await loadAgent(h.db, (await h.db('agents').where({ code: 'amartin' }).first('id')).id))!;
    const attempt = createService(h.db, amartin, { slug: 'pirate', name: 'Service pirate' });
    await expect(attempt).rejects.toBeInstanceOf(CommandError);
    await expect(attempt).rejects.toMatchObject({ status: 403 });
    expect(await h.db('services').where({ slug: 'pirate' }).first()).toBeUndefined();
  });
});

test('a bulk job’s report: its agent and administrators only', async () => {
  const amartin = (await h.db('agents').where({ code: 'amartin' }).first('id')).id;
  const request = (await findRequest(h.db, reference))!;
  const jobId = await insertBulkJob(h.db, { agentId: amartin, action: 'take', closingCode: null, targetAgentId: null, notifyCitizen: false, requestIds: [request.id] });
  const cpetit = await browser('cpetit');
  expect((await cpetit.call('GET', `/actions-groupees/${jobId}`)).status).toBe(403);
  expect((await (await browser('amartin')).call('GET', `/actions-groupees/${jobId}`)).status).toBe(200);
  expect((await (await browser('admin')).call('GET', `/actions-groupees/${jobId}`)).status).toBe(200);
});
