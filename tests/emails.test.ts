import { spawn } from 'node:child_process';
import path from 'node:path';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const citizen = { firstName: 'Louise', lastName: 'Michel', email: 'louise.michel@example.org' };
const ETAT_CIVIL = ['admin@mairie.example', 'amartin@mairie.example', 'bdurand@mairie.example'];

const submit = () => submitRequest(h, { citizen, answers: { copies: 2 } });

const about = (ref: string) => h.mails.filter((m) => m.subject.includes(ref));

test('each e-mail of the lifecycle reaches the right people with the right subject', async () => {
  h = await startHarness();
  const { reference: ref, trackingCode } = await submit();
  await waitFor(() => about(ref).length === 1 + ETAT_CIVIL.length, 15000, 'receipt and information e-mails');
  const receipt = about(ref).find((m) => m.to[0] === citizen.email)!;
  expect(receipt.subject).toBe(`Votre demande ${ref} a bien été reçue`);
  expect(receipt.text).toContain(trackingCode);
  expect(about(ref).filter((m) => m.subject === `Nouvelle demande ${ref} : Demande d'acte de naissance`).flatMap((m) => m.to).sort()).toEqual(ETAT_CIVIL);

  // The agent's edited subject and body replace the template's, for that one e-mail.
  const took = await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true, subject: `Bien reçu ${ref}`, body: 'Madame, nous traitons votre demande.' });
  expect({ status: took.status, body: took.body }).toMatchObject({ status: 200, body: { reference: ref, status: 'EN_COURS', assignee: { code: 'amartin' } } });
  await waitFor(() => about(ref).some((m) => m.subject === `Bien reçu ${ref}`), 15000, 'acknowledgement');
  const ack = about(ref).find((m) => m.subject === `Bien reçu ${ref}`)!;
  expect(ack.to).toEqual([citizen.email]);
  expect(ack.text.trim()).toBe('Madame, nous traitons votre demande.');

  const reassign = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'bdurand' });
  expect({ status: reassign.status, body: reassign.body }).toMatchObject({ status: 200, body: { status: 'EN_COURS', assignee: { code: 'bdurand' } } });
  await waitFor(() => about(ref).some((m) => m.subject === `La demande ${ref} vous a été attribuée`), 15000, 'reassignment');
  const reassigned = about(ref).find((m) => m.subject.startsWith('La demande'))!;
  expect(reassigned.to).toEqual(['bdurand@mairie.example']);
  expect(reassigned.text).toContain('Anne Martin vous a attribué');

  // Without subject and body, the template is used.
  const closed = await h.api('POST', `/api/requests/${ref}/close`, h.tokens.bdurand, { closingCode: 'TRAITEE', notifyCitizen: true });
  expect({ status: closed.status, body: closed.body }).toMatchObject({ status: 200, body: { status: 'CLOTUREE', closingCode: 'TRAITEE' } });
  await waitFor(() => about(ref).some((m) => m.subject === `Clôture de votre demande ${ref}`), 15000, 'closing notice');
  const closing = about(ref).find((m) => m.subject.startsWith('Clôture'))!;
  expect(closing.to).toEqual([citizen.email]);
  expect(closing.text).toContain('Décision : Traitée.');

  // Every e-mail went out once, and is recorded with the request.
  const ids = about(ref).map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const rows = await h.db('emails').where({ request_id: id }).orderBy('id');
  expect(rows.map((r: { kind: string }) => r.kind).sort()).toEqual(
    ['ACKNOWLEDGEMENT', 'CLOSING', 'NEW_REQUEST', 'NEW_REQUEST', 'NEW_REQUEST', 'REASSIGNED', 'RECEIPT'],
  );
  expect(rows.every((r: { status: string; sent_at: number | null }) => r.status === 'SENT' && r.sent_at !== null)).toBe(true);
});

test('no citizen e-mail is sent to a citizen who gave no address', async () => {
  h = await startHarness();
  const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Sans', lastName: 'Adresse' }, answers: {} });
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { reference: expect.any(String), status: 'NON_TRAITEE' } });
  const ref = res.body.reference;
  await waitFor(() => about(ref).length === ETAT_CIVIL.length, 15000, 'information e-mails');
  expect(about(ref).flatMap((m) => m.to).sort()).toEqual(ETAT_CIVIL);
  // Nor later, when the request is taken and closed with notifyCitizen false (the only choice without an address).
  for (const [action, body, status] of [['take', { notifyCitizen: false }, 'EN_COURS'], ['close', { closingCode: 'TRAITEE', notifyCitizen: false }, 'CLOTUREE']] as const) {
    const acted = await h.api('POST', `/api/requests/${ref}/${action}`, h.tokens.amartin, body);
    expect({ action, status: acted.status, state: acted.body.status }).toEqual({ action, status: 200, state: status });
  }
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  expect((await h.db('emails').where({ request_id: id }).pluck('kind')).sort()).toEqual(['NEW_REQUEST', 'NEW_REQUEST', 'NEW_REQUEST']);
  expect(about(ref).every((m) => m.to[0].endsWith('@mairie.example'))).toBe(true);
});

test('an e-mail is sent exactly once when the worker dies between sending it and recording it', async () => {
  // Every e-mail through the worker, the receipt too (the web's attempt is receipt.test.ts's).
  h = await startHarness({ worker: false, webReceipts: false });
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'support/workerProcess.ts')], {
    env: { ...h.env, CRASH_AFTER_SEND: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const { reference: ref } = await submit();
  expect(await exited).toBe(17);

  // The worker died after the server accepted a message (two may be in flight at once):
  // what was received is exactly what is left COMMITTING, nothing is recorded as SENT.
  const received = about(ref).length;
  expect(received).toBeGreaterThanOrEqual(1);
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const committing = await h.db('emails').where({ request_id: id, status: 'COMMITTING' }).count({ n: '*' }).first();
  expect(Number(committing?.n)).toBe(received);
  expect(await h.db('emails').where({ request_id: id, status: 'SENT' }).first()).toBeUndefined();

  // A new worker takes over once the dead one's activity times out.
  await h.startWorker();
  await waitFor(async () => {
    const rows = await h.db('emails').where({ request_id: id });
    return rows.length === 1 + ETAT_CIVIL.length && rows.every((r: { status: string }) => r.status === 'SENT');
  }, 60000, 'all e-mails sent');
  const ids = about(ref).map((m) => m.messageId);
  expect(ids).toHaveLength(1 + ETAT_CIVIL.length);
  expect(new Set(ids).size).toBe(ids.length);
});

test('a template saved with the English placeholders of before still renders once the migration renamed them', async () => {
  h = await startHarness({ worker: false });
  const { up, down } = await import('../migrations/20261130200000_french_placeholders');
  const { renderEmailFor, SAMPLE_CONTEXT, templateProblem } = await import('../src/mail/templates');
  const before = {
    subject: 'Pour {{agentName}} : {{reference}} ({{formTitle}})',
    body: '{{actorName}} vous confie la demande de {{municipality}}.\n{{#if requestUrl}}Lien : {{requestUrl}}{{/if}}\nLe mot link reste un mot.',
  };
  await h.db('email_templates').insert({ kind: 'REASSIGNED', ...before, updated_at: Date.now() });

  await up(h.db);
  const stored = await h.db('email_templates').where({ kind: 'REASSIGNED' }).first('subject', 'body');
  expect(stored).toEqual({
    subject: 'Pour {{nomAgent}} : {{reference}} ({{demarche}})',
    body: '{{nomAuteur}} vous confie la demande de {{mairie}}.\n{{#if lienDemande}}Lien : {{lienDemande}}{{/if}}\nLe mot link reste un mot.',
  });
  expect(templateProblem('REASSIGNED', stored)).toBeNull();
  const mail = await renderEmailFor(h.db, 'REASSIGNED', SAMPLE_CONTEXT);
  expect(mail.subject).toBe("Pour Anne Martin : DEM-2026-000123 (Demande d'acte de naissance)");
  expect(mail.text).toContain('Bruno Durand vous confie la demande de Mairie de Guichet-sur-Mer.\nLien : https://guichet.mairie.example/demandes/DEM-2026-000123');
  // The old names are no hidden aliases: the editor refuses them, naming the French ones.
  expect(templateProblem('REASSIGNED', before)).toMatch(/Balise inconnue pour ce courriel : \{\{agentName\}\}.*\{\{nomAuteur\}\}/);

  await down(h.db);
  expect(await h.db('email_templates').where({ kind: 'REASSIGNED' }).first('subject', 'body')).toEqual(before);
});
