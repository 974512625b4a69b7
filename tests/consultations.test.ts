// Consulting an expert group (issue 13): an agent asks another group's opinion, the
// request waits (EN_ATTENTE, « avis demandé à … »), the group's members see it in their
// queue and may read the request, one answers (an internal note) and the request resumes
// for the agent who asked; a consultation can be withdrawn; the experts are reminded
// after their group's delay. Every refusal changes nothing.
import { insertGroup, setMember, updateGroup } from '../src/db/groups';
import { moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { projectedState, workflowState } from './support/projection';
import { webClient } from './support/webClient';

let h: Harness;
let experts: number;
let etatCivil: number;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
  // The experts: Chloé Petit alone (of Urbanisme, not of État civil, whose requests she is asked about).
  experts = await insertGroup(h.db, { name: 'Experts juridiques', consultationReminderMs: 3600_000 });
  const cpetit = await h.db('agents').where({ code: 'cpetit' }).first('id');
  await setMember(h.db, experts, Number(cpetit.id));
  etatCivil = Number((await h.db('groups').where({ name: 'État civil' }).first('id')).id);
});
afterAll(async () => {
  await h?.close();
});

type Event = { type: string; agent: { code: string } | null; comment: string | null };
const requestOf = async (reference: string) => (await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin)).body;
const countRows = async (table: string, where: Record<string, unknown>) => Number((await h.db(table).where(where).count({ n: '*' }).first())!.n);

/** A request of État civil, taken by Anne Martin. */
async function inProgress(): Promise<{ reference: string; id: number }> {
  const filed = await submitRequest(h);
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  return { reference: filed.reference, id: filed.id };
}

async function ask(reference: string, token = h.tokens.amartin, body: object = { group: experts, question: 'Le livret de famille étranger suffit-il ?' }) {
  return h.api('POST', `/api/requests/${reference}/consultations`, token, body);
}

test('a consultation holds the request, the experts read it and answer; it resumes for the agent who asked, who is told', async () => {
  const { reference } = await inProgress();
  const asked = await ask(reference);
  expect(asked.status).toBe(201);
  expect(asked.body).toMatchObject({ request: reference, status: 'PENDING', fromGroup: 'État civil', toGroup: 'Experts juridiques', askedBy: 'Anne Martin', question: 'Le livret de famille étranger suffit-il ?', answer: null });
  const held = await requestOf(reference);
  expect(held.status).toBe('EN_ATTENTE');
  expect(held.events.at(-1)).toMatchObject({ type: 'HELD', agent: { code: 'amartin' }, comment: 'avis demandé à Experts juridiques' });
  // The workflow waits for this consultation, and the projection says the same.
  const state = await workflowState(h, reference);
  expect(state).toMatchObject({ status: 'EN_ATTENTE', consultationId: asked.body.id, holdUntil: null });
  expect(await projectedState(h, reference, state)).toEqual(state);

  // The expert sees it in the queue and reads the request, but does nothing else to it.
  const queue = await h.api('GET', '/api/consultations', h.tokens.cpetit);
  expect(queue.body.map((c: { id: number }) => c.id)).toContain(asked.body.id);
  expect((await h.api('GET', `/api/requests/${reference}`, h.tokens.cpetit)).status).toBe(200);
  for (const [action, body] of [['close', { closingCode: 'TRAITEE', notifyCitizen: false }], ['resume', {}], ['annotate', { eventType: 'NOTE', comment: 'x' }], ['consult', null]] as const) {
    const res = action === 'consult'
      ? await ask(reference, h.tokens.cpetit, { group: etatCivil + 0, question: 'x' })
      : await h.api('POST', `/api/requests/${reference}/${action}`, h.tokens.cpetit, body);
    expect([action, res.status]).toEqual([action, 403]);
  }
  // Another agent, of neither group, reads nothing.
  expect((await h.api('GET', `/api/requests/${reference}`, h.tokens.dleroy)).status).toBe(403);
  expect((await h.api('GET', '/api/consultations', h.tokens.dleroy)).body).toEqual([]);

  // Meanwhile a colleague takes the request over: the answer brings it back to Anne Martin all the same.
  expect((await h.api('POST', `/api/requests/${reference}/reassign`, h.tokens.amartin, { agent: 'bdurand' })).status).toBe(200);
  const answered = await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.cpetit, { answer: 'Oui, avec sa traduction certifiée.' });
  expect(answered.status).toBe(200);
  expect(answered.body).toMatchObject({ status: 'ANSWERED', answeredBy: 'Chloé Petit', answer: 'Oui, avec sa traduction certifiée.' });
  const resumed = await requestOf(reference);
  expect(resumed.status).toBe('EN_COURS');
  expect(resumed.assignee).toEqual({ code: 'amartin', name: 'Anne Martin' });
  const after = await workflowState(h, reference);
  expect(after.consultationId).toBeNull();
  expect(await projectedState(h, reference, after)).toEqual(after);
  const last = (resumed.events as Event[]).slice(-2);
  expect(last[0]).toMatchObject({ type: 'CONSULTATION_ANSWERED', agent: { code: 'cpetit' }, comment: 'Oui, avec sa traduction certifiée.' });
  expect(last[1]).toMatchObject({ type: 'RESUMED', agent: null });
  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Avis reçu sur la demande ${reference}`), 15000, 'the answer e-mail');
  expect(mail.to).toEqual(['amartin@mairie.example']);
  const row = await h.db('emails').where({ kind: 'CONSULTATION_ANSWERED' }).join('agents as a', 'a.id', 'emails.agent_id').where('a.code', 'amartin').first('emails.id');
  expect(row).toBeDefined();

  // Answered: it leaves the expert's queue and view; a second answer is refused.
  expect((await h.api('GET', '/api/consultations', h.tokens.cpetit)).body.map((c: { id: number }) => c.id)).not.toContain(asked.body.id);
  expect((await h.api('GET', `/api/requests/${reference}`, h.tokens.cpetit)).status).toBe(403);
  const again = await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.cpetit, { answer: 'Encore.' });
  expect(again.status).toBe(409);
  expect(again.body.error).toEqual({ code: 'CONSULTATION_ANSWERED', message: 'Cette demande d\'avis est déjà répondue.' });
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/withdraw`, h.tokens.amartin, {})).status).toBe(409);
  expect((await requestOf(reference)).events).toEqual(resumed.events);
});

test('a withdrawn consultation resumes the request; a late answer is told it was withdrawn; closing withdraws a pending one', async () => {
  const { reference } = await inProgress();
  const asked = await ask(reference);
  // A colleague of the request's group may withdraw it; an agent of neither group may not.
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/withdraw`, h.tokens.dleroy, {})).status).toBe(403);
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/withdraw`, h.tokens.cpetit, {})).status).toBe(403);
  const withdrawn = await h.api('POST', `/api/consultations/${asked.body.id}/withdraw`, h.tokens.bdurand, {});
  expect(withdrawn.status).toBe(200);
  expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN', answeredBy: 'Bruno Durand', answer: null });
  const resumed = await requestOf(reference);
  expect(resumed.status).toBe('EN_COURS');
  expect(resumed.assignee.code).toBe('amartin');
  expect(resumed.events.at(-1)).toMatchObject({ type: 'RESUMED', agent: { code: 'bdurand' } });
  const late = await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.cpetit, { answer: 'Trop tard.' });
  expect(late.status).toBe(409);
  expect(late.body.error).toEqual({ code: 'CONSULTATION_WITHDRAWN', message: 'Cette demande d\'avis a été retirée.' });
  expect((await requestOf(reference)).events).toEqual(resumed.events);

  // Asked again, then the request is closed: the consultation ends with it.
  const second = await ask(reference);
  expect(second.status).toBe(201);
  expect((await h.api('POST', `/api/requests/${reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);
  await waitFor(async () => (await h.db('consultations').where({ id: second.body.id }).first('status')).status === 'WITHDRAWN' || undefined, 15000, 'withdrawn by the close');
  expect((await h.api('GET', '/api/consultations', h.tokens.cpetit)).body.map((c: { id: number }) => c.id)).not.toContain(second.body.id);
});

test('an unanswered consultation reminds the consulted group after its delay, then again every same delay, until answered', async () => {
  const quick = await insertGroup(h.db, { name: 'Experts pressés', consultationReminderMs: 60_000 });
  await setMember(h.db, quick, Number((await h.db('agents').where({ code: 'cpetit' }).first('id')).id));
  await updateGroup(h.db, quick, { consultationReminderMs: 2000 });
  const { reference, id } = await inProgress();
  const asked = await ask(reference, h.tokens.amartin, { group: quick, question: 'Urgent ?' });
  expect(asked.status).toBe(201);
  const reminders = () => h.db('emails').where({ request_id: id, kind: 'CONSULTATION_REMINDER' }).join('agents as a', 'a.id', 'emails.agent_id').select('a.code', 'emails.created_at');
  const first = await waitFor(async () => ((await reminders()).length >= 1 ? await reminders() : undefined), 15000, 'a first reminder');
  expect(first.map((r: { code: string }) => r.code)).toEqual(['cpetit']);
  expect(Number(first[0].created_at)).toBeGreaterThanOrEqual(Date.parse(asked.body.askedAt) + 2000);
  await waitFor(async () => ((await reminders()).length >= 2 ? true : undefined), 15000, 'a second reminder');
  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Avis attendu sur la demande ${reference}`), 15000, 'the reminder e-mail');
  expect(mail.text).toContain('Chloé Petit');

  expect((await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.cpetit, { answer: 'Non.' })).status).toBe(200);
  const after = (await reminders()).length;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect((await reminders()).length).toBe(after);
});

test('refusals: not EN_COURS, its own group, no group, no question, not a member; nothing is written', async () => {
  const filed = await submitRequest(h);
  const written = async () => [await countRows('consultations', { request_id: filed.id }), await countRows('comments', { request_id: filed.id }), (await requestOf(filed.reference)).events.length];
  const before = await written();
  const unprocessed = await ask(filed.reference);
  expect(unprocessed.status).toBe(409);
  expect(unprocessed.body.error).toEqual({ code: 'NOT_TAKEN', message: 'Cette demande doit d\'abord être prise en compte.' });
  expect(await written()).toEqual(before);

  await moveTo(h, filed.reference, 'EN_ATTENTE', { agent: 'amartin' });
  const onHold = await written();
  const held = await ask(filed.reference);
  expect(held.status).toBe(409);
  expect(held.body.error).toEqual({ code: 'ALREADY_ON_HOLD', message: 'Cette demande est déjà en attente.' });
  expect(await written()).toEqual(onHold);

  const { reference, id } = await inProgress();
  const snapshot = async () => [await countRows('consultations', { request_id: id }), await countRows('comments', { request_id: id }), (await requestOf(reference)).status];
  const ready = await snapshot();
  const own = await ask(reference, h.tokens.amartin, { group: etatCivil, question: 'À nous-mêmes ?' });
  expect(own.status).toBe(400);
  expect(own.body.error).toMatchObject({ code: 'CONSULT_OWN_GROUP', field: 'group' });
  expect((await ask(reference, h.tokens.amartin, { group: 999999, question: 'Qui ?' })).body.error).toMatchObject({ code: 'UNKNOWN_CONSULTED_GROUP', field: 'group' });
  expect((await ask(reference, h.tokens.amartin, { group: experts, question: '   ' })).body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'question', message: 'Écrivez la question posée aux experts.' });
  expect((await ask(reference, h.tokens.amartin, { question: 'Sans groupe' })).body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'group' });
  expect((await ask(reference, h.tokens.dleroy)).status).toBe(403);
  expect(await snapshot()).toEqual(ready);

  // Answering: not a member of the consulted group is 403; an empty answer 400; an unknown consultation 404.
  const asked = await ask(reference);
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.dleroy, { answer: 'Moi ?' })).status).toBe(403);
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.amartin, { answer: 'Moi ?' })).status).toBe(403);
  expect((await h.api('POST', `/api/consultations/${asked.body.id}/answer`, h.tokens.cpetit, { answer: '' })).body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'answer' });
  expect((await h.api('POST', '/api/consultations/999999/answer', h.tokens.cpetit, { answer: 'Oui.' })).status).toBe(404);
  expect((await h.api('POST', '/api/consultations/abc/withdraw', h.tokens.cpetit, {})).status).toBe(404);
  expect((await h.db('consultations').where({ id: asked.body.id }).first('status')).status).toBe('PENDING');
  expect((await requestOf(reference)).status).toBe('EN_ATTENTE');
});

test('the pages: the asker\'s form, the experts\' queue and count, the answer from the request page; then the request leaves the expert\'s view', async () => {
  const { reference } = await inProgress();
  const amartin = webClient(h.baseUrl, '10.89.2.1');
  await amartin.login('amartin');
  const page = await amartin.call('GET', `/demandes/${reference}`);
  expect(page.text).toContain('Demander l\'avis d\'un expert');
  expect(page.text).toMatch(new RegExp(`<option value="${experts}">Experts juridiques</option>`));
  expect(page.text).not.toMatch(new RegExp(`<option value="${etatCivil}">`));
  const asked = await amartin.call('POST', `/demandes/${reference}/consult`, { _csrf: await amartin.csrf(`/demandes/${reference}`), group: String(experts), question: 'Quelle pièce ?' }, { 'HX-Request': 'true' });
  expect(asked.status).toBe(200);
  expect(asked.text).toContain('Avis demandé : la demande est en attente de la réponse.');
  expect(asked.text).toContain('Retirer la demande d\'avis');
  const consultation = await h.db('consultations').whereIn('request_id', h.db('requests').where({ reference }).select('id')).first('id');

  const cpetit = webClient(h.baseUrl, '10.89.2.2');
  await cpetit.login('cpetit');
  const queue = await cpetit.call('GET', '/demandes/consultations');
  expect(queue.status).toBe(200);
  expect(queue.text).toContain(reference);
  expect(queue.text).toContain('Quelle pièce ?');
  expect(queue.text).toMatch(/Consultations <span class="count">\d+<\/span>/);
  const expertPage = await cpetit.call('GET', `/demandes/${reference}`);
  expect(expertPage.status).toBe(200);
  expect(expertPage.text).toContain('Votre réponse');
  expect(expertPage.text).not.toContain(`/demandes/${reference}/close`);
  const answered = await cpetit.call('POST', `/consultations/${consultation.id}/answer`, { _csrf: await cpetit.csrf('/demandes/consultations'), answer: 'La copie intégrale.' });
  expect(answered.status).toBe(303);
  expect(answered.headers.get('location')).toBe('/demandes/consultations');
  expect((await cpetit.call('GET', '/demandes/consultations')).text).not.toContain(reference);
  expect((await cpetit.call('GET', `/demandes/${reference}`)).status).toBe(403);
  expect((await requestRow(h, reference)).status).toBe('EN_COURS');
  const resumedPage = await amartin.call('GET', `/demandes/${reference}`);
  expect(resumedPage.text).toContain('La copie intégrale.');
  expect(resumedPage.text).toContain('Avis d\'expert');
});
