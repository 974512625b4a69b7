// What agents and citizens read, in French: the history says to whom a request went, the
// resume button says what it does, dates read 14/03/1985, and a refused answer says why
// (a birth date in the future, a postal code of 4 digits), on the public form and the API.
import { saveFormVersion } from '../src/db/formVersions';
import { parisIsoDay } from '../src/dates';
import type { FieldDefinition } from '../src/forms/fields';
import { formClient } from './support/formClient';
import { moveTo, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
const FORM: FieldDefinition[] = [
  { key: 'date-naissance', label: 'Date de naissance', type: 'date', required: true, period: 'past' },
  { key: 'lieu', label: 'Commune de naissance', type: 'text', required: true },
];

beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true' } });
  const formType = await h.db('form_types').where({ slug: 'acte-naissance' }).first('id');
  await saveFormVersion(h.db, formType.id, FORM, null);
  const roads = await h.db('form_types').where({ slug: 'signalement-voirie' }).first('id');
  await saveFormVersion(h.db, roads.id, [{ key: 'lieu', label: 'Lieu', type: 'address', required: true }], null);
});
afterAll(async () => {
  await h?.close();
});

let address = 0;
const agentPage = async (code: string, url: string) => {
  const client = webClient(h.baseUrl, `203.0.113.${++address}`);
  await client.login(code);
  return (await client.call('GET', url)).text;
};
/** The text of a page without its tags, spaces collapsed: what is read on screen. */
const onScreen = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

test('the history says to whom a request was reassigned and by whom; an event from before the record still reads', async () => {
  const { reference } = await submitRequest(h, { answers: { 'date-naissance': '1985-03-14', lieu: 'Rezé' } });
  const reassigned = await h.api('POST', `/api/requests/${reference}/reassign`, h.tokens.amartin, { agent: 'bdurand' });
  expect(reassigned.status).toBe(200);
  const event = await waitFor(async () => h.db('events').where({ type: 'REASSIGNED' }).join('requests', 'requests.id', 'events.request_id')
    .where('requests.reference', reference).first('events.id', 'events.target_agent_id'), 15000, 'the reassignment event');
  expect(event.target_agent_id).toBe(Number((await h.db('agents').where({ code: 'bdurand' }).first('id')).id));

  const page = onScreen(await agentPage('amartin', `/demandes/${reference}`));
  expect(page).toContain('Réattribuée à Bruno Durand par Anne Martin');
  // The answers of a date field read in French.
  expect(page).toContain('14/03/1985');
  expect(page).not.toContain('1985-03-14');

  // The agent API gives the target too.
  const read = await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin);
  expect(read.body.events.find((e: { type: string }) => e.type === 'REASSIGNED')).toMatchObject({ agent: { code: 'amartin' }, to: { code: 'bdurand', name: 'Bruno Durand' } });

  // A reassignment recorded before its target was: who did it is still said.
  await h.db('events').where({ id: event.id }).update({ target_agent_id: null });
  expect(onScreen(await agentPage('amartin', `/demandes/${reference}`))).toContain('Réattribuée par Anne Martin');

  // The migration that added the target fills it for a request's last change of hands: the assignee it has.
  const migration = await import('../migrations/20261130210000_reassign_target');
  await migration.down(h.db);
  await migration.up(h.db);
  expect(await h.db('events').where({ id: event.id }).first('target_agent_id')).toEqual({ target_agent_id: event.target_agent_id });
});

test('a request on hold offers « Reprendre le traitement », and its history says so once done', async () => {
  const { reference } = await submitRequest(h, { answers: { 'date-naissance': '1990-01-02', lieu: 'Nantes' } });
  await moveTo(h, reference, 'EN_ATTENTE', { agent: 'amartin' });
  const page = onScreen(await agentPage('amartin', `/demandes/${reference}`));
  expect(page).toContain('Reprendre le traitement');
  expect(page).not.toContain('Réaffecter');
  const resumed = await h.api('POST', `/api/requests/${reference}/resume`, h.tokens.amartin, {});
  expect(resumed.status).toBe(200);
  await waitFor(async () => onScreen(await agentPage('amartin', `/demandes/${reference}`)).includes('Reprise du traitement'), 15000, 'the resumed event');
});

test('a birth date in the future is refused with its reason, on the public form and by the API', async () => {
  const citizen = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.7' });
  const identity = { nom: 'Martin', prenom: 'Paul', lieu: 'Rezé' };
  const before = Number((await h.db('requests').count({ n: '*' }).first())!.n);
  const refused = await citizen.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { ...identity, 'date-naissance': '2030-05-01' });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('Cette date ne peut pas être dans le futur');
  expect(refused.text).toContain('id="champ-date-naissance-erreur"');
  // The date picker offers no day after today.
  expect(refused.text).toMatch(new RegExp(`id="champ-date-naissance"[^>]*max="${parisIsoDay(Date.now())}"`));
  const typo = await citizen.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', { ...identity, 'date-naissance': '0985-03-14' });
  expect(typo.status).toBe(400);
  expect(typo.text).toContain('antérieure à 1900 : vérifiez l’année');
  expect(Number((await h.db('requests').count({ n: '*' }).first())!.n)).toBe(before);

  const api = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance', citizen: { firstName: 'Paul', lastName: 'Martin' }, answers: { 'date-naissance': '2030-05-01', lieu: 'Rezé' },
  });
  expect(api.status).toBe(400);
  expect(api.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'answers.date-naissance' });
  expect(api.body.error.message).toContain('Cette date ne peut pas être dans le futur');

  const today = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance', citizen: { firstName: 'Paul', lastName: 'Martin' }, answers: { 'date-naissance': parisIsoDay(Date.now()), lieu: 'Rezé' },
  });
  expect(today.status).toBe(201);
});

test('a 4-digit postal code gets its own message, on the public form and by the API', async () => {
  const citizen = formClient(h.baseUrl, { 'x-forwarded-for': '198.51.100.8' });
  const refused = await citizen.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', {
    nom: 'Martin', prenom: 'Paul', lieu: 'Rezé', 'date-naissance': '1985-03-14', 'adresse-rue': '1 rue Haute', 'adresse-code-postal': '1000', 'adresse-commune': 'Bourg-en-Bresse',
  });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('Le code postal compte 5 chiffres : « 1000 » n’en a que 4. S’il commence par 0 (départements 01 à 09), écrivez ce 0, par exemple 01000.');
  const other = await citizen.post('/formulaires/acte-naissance', '/formulaires/acte-naissance', {
    nom: 'Martin', prenom: 'Paul', lieu: 'Rezé', 'date-naissance': '1985-03-14', 'adresse-rue': '1 rue Haute', 'adresse-code-postal': 'AB12', 'adresse-commune': 'Nantes',
  });
  expect(other.text).toContain('Le code postal compte 5 chiffres, par exemple 75001.');

  const api = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'signalement-voirie', citizen: { firstName: 'Paul', lastName: 'Martin' },
    answers: { lieu: '1 rue Haute\n4400 Nantes' },
  });
  expect(api.status).toBe(400);
  expect(api.body.error.message).toContain('« 4400 » n’en a que 4');
});

test('the birth dates of the forms stored before date periods existed accept past days only once migrated', async () => {
  const formType = await h.db('form_types').where({ slug: 'acte-mariage' }).first('id');
  const stored = [
    { key: 'naissance-epoux', label: 'Date de naissance de l’époux', type: 'date', required: true },
    { key: 'mariage', label: 'Date du mariage', type: 'date', required: true },
  ] as FieldDefinition[];
  await saveFormVersion(h.db, formType.id, stored, null);
  const { up } = await import('../migrations/20261130220000_birth_dates_past');
  await up(h.db);
  const fields = JSON.parse((await h.db('form_versions').where({ form_type_id: formType.id }).orderBy('version', 'desc').first('fields')).fields);
  expect(fields.map((f: FieldDefinition) => [f.key, f.period])).toEqual([['naissance-epoux', 'past'], ['mariage', undefined]]);
});
