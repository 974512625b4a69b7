import fs from 'node:fs';
import path from 'node:path';
import { saveFormVersion } from '../src/db/formVersions';
import type { FieldDefinition } from '../src/forms/fields';
import { EXECUTABLE, PDF, PNG } from './support/files';
import { fileOf, formClient } from './support/formClient';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
const FORM: FieldDefinition[] = [
  { key: 'objet', label: 'Objet', type: 'text', required: true, maxLength: 50, pattern: '[A-Za-z ]+', patternMessage: 'Lettres et espaces seulement.' },
  { key: 'pieces', label: 'Pièces', type: 'file', required: false },
];
const ok = { nom: 'Martin', prenom: 'Paul', objet: 'Un trottoir abime' };
const count = async (table: string) => Number((await h.db(table).count({ n: '*' }).first())!.n);
const uploadsLeft = () => fs.readdirSync(path.join(h.config.dataDir, 'uploads')).length;

beforeAll(async () => {
  h = await startHarness({ env: { FORM_SUBMISSIONS_PER_HOUR: '3', TRUST_PROXY: 'true' } });
  const formType = await h.db('form_types').where({ slug: 'signalement-voirie' }).first('id');
  await saveFormVersion(h.db, formType.id, FORM, null);
});
afterAll(async () => {
  await h?.close();
});

/** Each test comes from an address of its own, so that the rate limit counts only its own. */
let address = 0;
const citizen = () => formClient(h.baseUrl, { 'x-forwarded-for': `198.51.100.${++address}` });
const post = (client: ReturnType<typeof formClient>, fields: Record<string, string | string[]>, files: Parameters<ReturnType<typeof formClient>['post']>[3] = []) =>
  client.post('/formulaires/signalement-voirie', '/formulaires/signalement-voirie', fields, files);

test('files are refused by content, count and size, with the reason beside the field, the input kept and nothing filed', async () => {
  const before = await count('requests');
  const renamed = await post(citizen(), ok, [fileOf('pieces', 'facture.pdf', EXECUTABLE)]);
  expect(renamed.status).toBe(400);
  expect(renamed.text).toContain('Le fichier « facture.pdf » n’est ni un PDF, ni une image JPEG ou PNG');
  expect(renamed.text).toContain('value="Un trottoir abime"');

  const six = Array.from({ length: 6 }, (_, i) => fileOf('pieces', `p${i}.pdf`, PDF));
  const tooMany = await post(citizen(), ok, six);
  expect(tooMany.status).toBe(400);
  expect(tooMany.text).toContain('5 fichiers au plus.');
  expect(tooMany.text).toContain('value="Paul"');

  const big = await post(citizen(), ok, [fileOf('pieces', 'gros.pdf', Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]))]);
  expect(big.status).toBe(400);
  expect(big.text).toContain('Un fichier dépasse la taille maximale de 10 Mo.');
  expect(big.text).toContain('id="champ-pieces-erreur"');

  expect(await count('requests')).toBe(before);
  expect(await count('attachments')).toBe(0);
  await waitFor(() => uploadsLeft() === 0, 5000, 'the upload folder emptied');

  const five = Array.from({ length: 5 }, (_, i) => fileOf('pieces', `p${i}.${i % 2 ? 'png' : 'pdf'}`, i % 2 ? PNG : PDF, i % 2 ? 'image/png' : 'application/pdf'));
  const accepted = await post(citizen(), ok, five);
  expect(accepted.status).toBe(303);
  expect(await count('attachments')).toBe(5);
  expect((await h.db('attachments').select('content_type')).map((a) => a.content_type).sort()).toEqual(['application/pdf', 'application/pdf', 'application/pdf', 'image/png', 'image/png']);
  // The upload folder is emptied once the answer is sent.
  await waitFor(() => uploadsLeft() === 0, 5000, 'the upload folder emptied');
});

test('fields are checked as the administrator defined them; the honeypot and the rate limit refuse with their reason', async () => {
  const before = await count('requests');
  const bad = await post(citizen(), { ...ok, objet: 'Trottoir n°12', courriel: 'x@', 'adresse-rue': '1 rue A', 'adresse-code-postal': '440', 'adresse-commune': 'Nantes' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('Lettres et espaces seulement.');
  expect(bad.text).toContain('Adresse électronique invalide');
  expect(bad.text).toContain('Le code postal compte 5 chiffres, par exemple 75001.');
  expect(bad.text).toContain('value="1 rue A"');

  const robot = await post(citizen(), { ...ok, site_internet: 'http://spam.example' });
  expect(robot.status).toBe(400);
  expect(robot.text).toContain('le champ « Laissez ce champ vide », invisible à l’écran, a été rempli');
  expect(await count('requests')).toBe(before);

  const one = citizen();
  for (let i = 0; i < 3; i += 1) {
    expect((await post(one, ok)).status).toBe(303);
  }
  const limited = await post(one, ok);
  expect(limited.status).toBe(429);
  expect(limited.text).toContain('Trop de demandes ont été envoyées depuis votre connexion');
  expect(await count('requests')).toBe(before + 3);
  // Another address is not held back by this one.
  expect((await post(citizen(), ok)).status).toBe(303);
});

test('the API checks answers against the same fields', async () => {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'signalement-voirie', citizen: { firstName: 'A', lastName: 'B' }, answers: { objet: 'Nid de poule' } });
  expect(filed.status).toBe(201);
  const bad = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'signalement-voirie', citizen: { firstName: 'A', lastName: 'B' }, answers: { objet: 'Nid de poule 2' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'answers.objet', message: 'answers.objet : Lettres et espaces seulement.' });
  const unknown = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'signalement-voirie', citizen: { firstName: 'A', lastName: 'B' }, answers: { objet: 'Ok', couleur: 'rouge' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.field).toBe('answers.couleur');
});

test('a webhook may not point into Guichet’s own network', async () => {
  for (const url of ['http://127.0.0.1:9/crochet', 'http://localhost/crochet', 'https://10.1.2.3/crochet', 'http://[::ffff:192.168.0.1]/x']) {
    const refused = await h.api('POST', '/api/webhooks', h.partnerKey, { url });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('url');
    expect(refused.body.error.message).toContain('adresse interne ou réservée');
  }
  expect(await count('webhooks')).toBe(0);
});
