import { hashToken } from '../src/db/tokens';
import { runGuichet } from './support/cli';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const guichet = (...args: string[]) => runGuichet(h.env, ...args);

test('migrate, then create an agent, a token and a partner key', async () => {
  expect((await guichet('migrate')).code).toBe(0);
  const created = await guichet('agent', 'create', 'egarcia', '--name', 'Emma Garcia', '--email', 'emma@mairie.example', '--service', 'urbanisme', 'voirie', '--password', 'un-long-mot-de-passe');
  expect(created).toMatchObject({ code: 0 });
  const agent = await h.db('agents').where({ code: 'egarcia' }).first();
  expect(agent).toMatchObject({ name: 'Emma Garcia', email: 'emma@mairie.example' });
  expect(agent.password_hash).toMatch(/^\$argon2id\$/);
  expect(await h.db('agent_services').where({ agent_id: agent.id })).toHaveLength(2);

  const token = (await guichet('token', 'create', 'egarcia')).stdout.trim();
  expect(token).toMatch(/^gat_/);
  expect(await h.db('api_tokens').where({ token_hash: hashToken(token) }).first('kind', 'agent_id', 'revoked_at')).toEqual({ kind: 'agent', agent_id: agent.id, revoked_at: null });
  const listed = await h.api('GET', '/api/requests/NONE', token);
  expect(listed.status).toBe(404); // the token authenticates

  const key = (await guichet('api-key', 'create', 'Portail usagers')).stdout.trim();
  expect(key).toMatch(/^gpk_/);
  expect((await h.api('GET', '/api/form-types', key)).status).toBe(200);
});

test.each([
  [['agent', 'create', 'x1', '--name', 'X', '--email', 'x@mairie.example', '--service', 'inconnu'], /service inconnu : inconnu/i],
  [['agent', 'create', 'x2', '--name', 'X', '--email', 'pas-une-adresse'], /adresse électronique invalide/i],
  [['agent', 'create', 'amartin', '--name', 'X', '--email', 'x@mairie.example'], /existe déjà/],
  [['agent', 'create', 'x3', '--email', 'x@mairie.example'], /--name/],
  [['agent', 'create', 'x4', '--name', 'X', '--email', 'x@mairie.example', '--password', 'court'], /au moins 8 caractères/],
  [['token', 'create', 'personne'], /agent inconnu/i],
  [['form-type', 'delays', 'acte-naissance', '--deletion', 'deux jours'], /--deletion : durée invalide/],
  [['form-type', 'delays', 'acte-naissance', '--reminder-every', '0s'], /--reminder-every : durée invalide/],
  [['form-type', 'delays', 'inconnue', '--deletion', '2d'], /Démarche inconnue/],
  [['commande-inconnue'], /unknown command/],
])('guichet %j is refused with a clear message and changes nothing', async (args, message) => {
  const agentsBefore = await h.db('agents').count({ n: '*' }).first();
  const result = await guichet(...args);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(await h.db('agents').count({ n: '*' }).first()).toEqual(agentsBefore);
});

test('form-type delays applies to requests already running', async () => {
  const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-mariage', citizen: { firstName: 'A', lastName: 'B' }, answers: {} });
  const ref = res.body.reference;
  const out = await guichet('form-type', 'delays', 'acte-mariage', '--deletion', '2s', '--deletion-warning', '1s', '--unprocessed-reminder', '1h', '--reminder-every', '1h', '--in-progress-reminder', '7d');
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/1 demande en cours prévenue/);
  const row = await h.db('form_types').where({ slug: 'acte-mariage' }).first();
  expect(Number(row.deletion_ms)).toBe(2000);
  expect(Number(row.in_progress_reminder_ms)).toBe(7 * 24 * 3600 * 1000);
  await waitFor(async () => (await h.api('GET', `/api/requests/${ref}`, h.partnerKey)).body.closingCode === 'EXPIRED', 15000, 'expiry');
});
