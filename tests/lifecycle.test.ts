import { startHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const citizen = { firstName: 'Jeanne', lastName: 'Dupré', email: 'jeanne.dupre@example.org', phone: '0612345678', address: '1 rue Haute' };

async function submitRequest(formType = 'acte-naissance', who: object = citizen): Promise<string> {
  const res = await h.api('POST', '/api/requests', h.partnerKey, { formType, citizen: who, answers: { motif: 'mariage' } });
  expect(res.status).toBe(201);
  return res.body.reference;
}

test('every legal transition, in order, and the history that records them', async () => {
  const ref = await submitRequest();
  const amartin = h.tokens.amartin;
  const steps: [string, object, string][] = [
    ['take', { notifyCitizen: false }, 'EN_COURS'],
    ['annotate', { eventType: 'APPEL_TELEPHONIQUE', comment: 'rappel' }, 'EN_COURS'],
    ['hold', { reason: 'pièce manquante' }, 'EN_ATTENTE'],
    ['resume', {}, 'EN_COURS'],
    ['reassign', { agent: 'bdurand' }, 'EN_COURS'],
    ['hold', { reason: 'encore' }, 'EN_ATTENTE'],
    ['close', { closingCode: 'TRAITEE', notifyCitizen: false }, 'CLOTUREE'],
  ];
  for (const [action, body, status] of steps) {
    const res = await h.api('POST', `/api/requests/${ref}/${action}`, amartin, body);
    expect({ action, status: res.status }).toEqual({ action, status: 200 });
    expect(res.body.status).toBe(status);
  }
  const got = await h.api('GET', `/api/requests/${ref}`, amartin);
  expect(got.body.events.map((e: { type: string }) => e.type)).toEqual([
    'SUBMITTED', 'TAKEN', 'APPEL_TELEPHONIQUE', 'HELD', 'RESUMED', 'REASSIGNED', 'HELD', 'CLOSED',
  ]);
  expect(got.body.assignee).toEqual({ code: 'bdurand', name: 'Bruno Durand' });
  expect(got.body.closingCode).toBe('TRAITEE');
});
