// An account an administrator created and whose activation link was not used yet, and a
// deactivated account, cannot open the application: nothing about requests is e-mailed to
// them, they are not offered as reassignment targets, and a reassign to them (API, forged
// form, bulk) is refused saying why.
import { sendDigests } from '../src/accounts/digest';
import { createAgent } from '../src/admin';
import { createAgentAccount } from '../src/commands/admin/createAgentAccount';
import { startBulk } from '../src/commands/bulk';
import { CommandError } from '../src/commands/errors';
import { setAgentActiveFlag } from '../src/db/agentAccounts';
import { createTransport } from '../src/mail/transport';
import { COMMAND_LINE } from '../src/policies';
import { agentByCode } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let pendingId: number;
let deactivatedId: number;
beforeAll(async () => {
  h = await startHarness();
  // Names sorted last: an e-mail to them would be the announcement's last one.
  pendingId = await createAgentAccount(h, COMMAND_LINE, { code: 'zattente', name: 'Zoé Attente', email: 'zoe.attente@mairie.example', services: ['etat-civil'], admin: false });
  deactivatedId = await createAgent(h.db, COMMAND_LINE, {
    code: 'zparti', name: 'Zacharie Parti', email: 'zacharie.parti@mairie.example', services: ['etat-civil'], admin: false, password: 'un mot de passe solide',
  });
  await setAgentActiveFlag(h.db, deactivatedId, false);
});
afterAll(async () => {
  await h?.close();
});

const file = async (lastName: string): Promise<string> =>
  (await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Léa', lastName }, answers: {} })).body.reference;

test('a new request is announced to the service’s activated agents only, and the digest skips a pending account', async () => {
  const ref = await file('Annonce');
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const amartin = (await agentByCode(h, 'amartin')).id;
  const bdurand = (await agentByCode(h, 'bdurand')).id;
  await waitFor(async () => {
    const to = await h.db('emails').where({ request_id: id, kind: 'NEW_REQUEST' }).pluck('agent_id');
    return to.map(Number).includes(amartin) && to.map(Number).includes(bdurand);
  }, 30000, 'the announcement to amartin and bdurand');
  await new Promise((r) => setTimeout(r, 500));
  const to = (await h.db('emails').where({ request_id: id }).pluck('agent_id')).map(Number);
  expect(to).not.toContain(pendingId);
  expect(to).not.toContain(deactivatedId);

  await h.db('agents').where({ id: pendingId }).update({ new_request_emails: 'DIGEST' });
  const transport = createTransport(h.config.smtpUrl);
  try {
    await sendDigests(h.db, transport, h.config, Date.now());
  } finally {
    transport.close();
  }
  await new Promise((r) => setTimeout(r, 300));
  expect(h.mails.filter((m) => m.to.includes('zoe.attente@mairie.example') && !m.subject.includes('Activez'))).toEqual([]);
});

test('the request page and the lists offer neither as a reassignment target; the API refuses both with a JSON error', async () => {
  const ref = await file('Offre');
  const web = webClient(h.baseUrl, '10.9.0.1');
  await web.login('amartin');
  const page = await web.call('GET', `/demandes/${ref}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<option value="bdurand">Bruno Durand</option>');
  expect(page.text).not.toContain('zattente');
  expect(page.text).not.toContain('zparti');
  const list = await web.call('GET', '/demandes/non-traitees');
  expect(list.status).toBe(200);
  expect(list.text).not.toContain('Zoé Attente');
  expect(list.text).not.toContain('Zacharie Parti');

  const pending = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'zattente' });
  expect(pending).toMatchObject({ status: 400, body: { error: { code: 'AGENT_NOT_ACTIVATED', field: 'agent' } } });
  expect(pending.body.error.message).toBe("Zoé Attente n'a pas encore activé son compte (le lien d'activation reçu par courriel) : une demande ne peut pas lui être attribuée.");
  const gone = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'zparti' });
  expect(gone).toMatchObject({ status: 400, body: { error: { code: 'AGENT_DEACTIVATED', field: 'agent', message: 'Le compte de Zacharie Parti est désactivé : une demande ne peut pas lui être attribuée.' } } });
  expect(await h.db('requests').where({ reference: ref }).first('assignee_id')).toMatchObject({ assignee_id: null });
});

test('a forged reassign form is refused in French; a bulk reassign to them does not start', async () => {
  const ref = await file('Forge');
  const web = webClient(h.baseUrl, '10.9.0.2');
  await web.login('amartin');
  const csrf = await web.csrf(`/demandes/${ref}`);
  const forged = await web.call('POST', `/demandes/${ref}/reassign`, { _csrf: csrf, agent: 'zattente' });
  const shown = forged.status === 303 ? await web.call('GET', forged.headers.get('location')!) : forged;
  expect(shown.text).toContain("Zoé Attente n'a pas encore activé son compte");
  expect(await h.db('requests').where({ reference: ref }).first('assignee_id')).toMatchObject({ assignee_id: null });

  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const jobs = Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n);
  const amartin = await agentByCode(h, 'amartin');
  for (const [code, expected] of [['zattente', 'AGENT_NOT_ACTIVATED'], ['zparti', 'AGENT_DEACTIVATED']]) {
    const refused = await startBulk(h.ctx, amartin, { action: 'reassign', requestIds: [Number(id)], targetAgent: code, notifyCitizen: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CommandError);
    expect(refused).toMatchObject({ status: 400, code: expected });
  }
  expect(Number((await h.db('bulk_jobs').count({ n: '*' }).first())?.n)).toBe(jobs);
});

test('once activated, the agent is offered and may be given a request', async () => {
  await h.db('agents').where({ id: pendingId }).update({ password_hash: 'activated-in-this-test' });
  const ref = await file('Active');
  const res = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'zattente' });
  expect(res).toMatchObject({ status: 200, body: { assignee: { code: 'zattente' } } });
});
