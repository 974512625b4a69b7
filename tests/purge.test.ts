import { startHarness, waitFor, type Harness } from './support/harness';
import { leaksIn, readable, TABLES } from './support/personalData';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

// Distinctive strings: if any of them survives the purge, somewhere, the test says where.
const secrets = {
  firstName: 'Zébulon',
  lastName: 'Quasimodo',
  email: 'zebulon.quasimodo@example.org',
  phone: '07 99 88 77 66',
  address: '77 allée des Secrets, 44000 Nantes',
  answer: 'réponse-très-privée-42',
  comment: 'commentaire-privé-123',
  reason: 'raison-privée-456',
  body: 'corps-de-courriel-privé-789',
  // The number of a planned callback, as it is kept (E.164).
  callbackPhone: '+33799887766',
  // A word of the name, as the search by name keeps it (src/db/nameWords.ts).
  nameWord: 'zebulon',
};
function leaks(text: string): string[] {
  return leaksIn(secrets, text);
}

async function closeWithEverything(): Promise<{ ref: string; id: number }> {
  const res = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance',
    citizen: { firstName: secrets.firstName, lastName: secrets.lastName, email: secrets.email, phone: secrets.phone, address: secrets.address },
    answers: { motif: secrets.answer },
  });
  const ref: string = res.body.reference;
  const t = h.tokens.amartin;
  const ok = async (action: string, body: object) => expect((await h.api('POST', `/api/requests/${ref}/${action}`, t, body)).status).toBe(200);
  await ok('take', { notifyCitizen: true, body: `Bonjour ${secrets.firstName} ${secrets.lastName}, ${secrets.body}` });
  await ok('annotate', { eventType: 'APPEL_TELEPHONIQUE', comment: secrets.comment });
  await ok('hold', { reason: secrets.reason });
  await ok('resume', {});
  // A callback planned tomorrow at 10:00 (Paris) to the citizen's number: dropped with the request.
  const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
  expect((await h.api('POST', `/api/requests/${ref}/callbacks`, t, { date: tomorrow, time: '10:00', phone: secrets.phone })).status).toBe(201);
  await ok('calls', { wrapUpCode: 'PAS_DE_REPONSE', note: secrets.comment });
  // Before the close, the personal data is there (so the checks below can fail).
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  expect(leaks(JSON.stringify(await h.db('request_personal').where({ request_id: id })))).toEqual(
    expect.arrayContaining([secrets.lastName, secrets.email, secrets.answer]),
  );
  expect(leaks(JSON.stringify(await h.db('callbacks').where({ request_id: id })))).toEqual([secrets.callbackPhone]);
  expect(leaks(JSON.stringify(await h.db('request_name_words').where({ request_id: id })))).toEqual([secrets.nameWord]);
  await ok('close', { closingCode: 'TRAITEE', notifyCitizen: true });
  await waitFor(async () => (await h.db('requests').where({ id }).first('purged_at')).purged_at, 20000, 'purge');
  return { ref, id };
}

test('closing deletes every personal datum from the database and keeps the anonymous milestones', async () => {
  const { ref, id } = await closeWithEverything();
  for (const table of TABLES) {
    const rows = await h.db(table).select('*');
    expect({ table, leaks: leaks(JSON.stringify(rows)) }).toEqual({ table, leaks: [] });
  }
  // The closing e-mail went out before the purge, with the name in it.
  expect(h.mails.some((m) => m.subject === `Clôture de votre demande ${ref}` && m.text.includes(secrets.lastName))).toBe(true);

  const kept = await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin);
  expect(kept.body).toMatchObject({ reference: ref, formType: 'acte-naissance', status: 'CLOTUREE', closingCode: 'TRAITEE', assignee: { code: 'amartin', name: 'Anne Martin' } });
  expect(kept.body.events.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED', 'TAKEN', 'APPEL_TELEPHONIQUE', 'HELD', 'RESUMED', 'CALLBACK_PLANNED', 'CALL_LOGGED', 'CLOSED']);
  expect(kept.body.events.every((e: { comment: unknown; at: string }) => e.comment === null && Date.parse(e.at) > 0)).toBe(true);
  const emails = await h.db('emails').where({ request_id: id });
  expect(emails.length).toBeGreaterThan(0);
  expect(await h.db('email_contents').where({ request_id: id })).toHaveLength(0);
});

test('no personal datum ever enters the workflow history', async () => {
  const { ref } = await closeWithEverything();
  const handle = h.ctx.client.workflow.getHandle(`request-${ref}`);
  await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 20000, 'workflow completion');
  const history = readable(await handle.fetchHistory());
  // The decoding works (an event type, only found inside payloads, is readable) …
  expect(history.includes('APPEL_TELEPHONIQUE')).toBe(true);
  // … and nothing personal is there.
  expect(leaks(history)).toEqual([]);
});
