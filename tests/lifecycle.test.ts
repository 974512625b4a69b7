import type { Citizen } from '../src/db/requests';
import type { Status } from '../workflows/definitions';
import { agentByCode, CITIZEN, moveTo as moveRequestTo, submitRequest as submitRequestWith } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { projectedState, workflowState } from './support/projection';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const citizen = CITIZEN;

async function submitRequest(formType = 'acte-naissance', who: Citizen = citizen): Promise<string> {
  return (await submitRequestWith(h, { formType, citizen: who })).reference;
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

/** Anne Martin takes (and holds or closes) the request, as the refusals below name her. */
const moveTo = (ref: string, status: Status) => moveRequestTo(h, ref, status, { agent: 'amartin' });

const bodies: Record<string, object> = {
  take: { notifyCitizen: true },
  hold: { reason: 'raison confidentielle' },
  resume: {},
  reassign: { agent: 'bdurand' },
  annotate: { eventType: 'NOTE', comment: 'commentaire confidentiel' },
  prioritize: { priority: 'haute' },
  close: { closingCode: 'TRAITEE', notifyCitizen: true },
};

const refused: [string, string, string, RegExp][] = [
  ['NON_TRAITEE', 'hold', 'NOT_TAKEN', /doit d'abord être prise en compte/],
  ['NON_TRAITEE', 'resume', 'NOT_ON_HOLD', /n'est pas en attente/],
  ['NON_TRAITEE', 'close', 'NOT_TAKEN', /doit d'abord être prise en compte/],
  ['EN_COURS', 'take', 'ALREADY_TAKEN', /déjà été prise en compte par Anne Martin/],
  ['EN_COURS', 'resume', 'NOT_ON_HOLD', /n'est pas en attente/],
  ['EN_ATTENTE', 'take', 'ALREADY_TAKEN', /déjà été prise en compte par Anne Martin/],
  ['EN_ATTENTE', 'hold', 'ALREADY_ON_HOLD', /déjà en attente/],
  ['CLOTUREE', 'take', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'hold', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'resume', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'reassign', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'annotate', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'prioritize', 'ALREADY_CLOSED', /déjà clôturée/],
  ['CLOTUREE', 'close', 'ALREADY_CLOSED', /déjà clôturée/],
];

test.each(refused)('from %s, %s is refused with %s and changes nothing', async (from, action, code, message) => {
  const ref = await submitRequest();
  await moveTo(ref, from as 'NON_TRAITEE');
  const before = await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin);
  const { id } = await h.db('requests').where({ reference: ref }).first('id');
  const drafts = () => h.db('emails').where({ request_id: id }).whereIn('kind', ['ACKNOWLEDGEMENT', 'CLOSING']).count({ n: '*' }).first();
  const emailsBefore = await drafts();
  const commentsBefore = await h.db('comments').where({ request_id: id }).count({ n: '*' }).first();

  // A colleague's request is handed over by its holder (or a dispatcher): Anne reassigns hers.
  const actor = action === 'reassign' ? h.tokens.amartin : h.tokens.bdurand;
  const res = await h.api('POST', `/api/requests/${ref}/${action}`, actor, bodies[action]);
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(message);

  const after = await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin);
  expect(after.body.status).toBe(before.body.status);
  expect(after.body.events).toEqual(before.body.events);
  // No orphan draft e-mail or comment is left behind by the refused action.
  expect(await drafts()).toEqual(emailsBefore);
  expect(await h.db('comments').where({ request_id: id }).count({ n: '*' }).first()).toEqual(commentsBefore);
});

test('reassigning to the current assignee is refused', async () => {
  const ref = await submitRequest();
  await moveTo(ref, 'EN_COURS');
  const res = await h.api('POST', `/api/requests/${ref}/reassign`, h.tokens.amartin, { agent: 'amartin' });
  expect(res.status).toBe(409);
  expect(res.body.error).toEqual({ code: 'SAME_ASSIGNEE', message: 'Cette demande est déjà attribuée à Anne Martin.' });
});

test('two agents taking the same request at once: exactly one wins, the other is told by whom', async () => {
  for (let round = 0; round < 5; round += 1) {
    const ref = await submitRequest();
    const [a, b] = await Promise.all([
      h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false }),
      h.api('POST', `/api/requests/${ref}/take`, h.tokens.bdurand, { notifyCitizen: false }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.error.message).toBe(`Cette demande a déjà été prise en compte par ${winner.body.assignee.name}.`);
    const got = await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin);
    expect(got.body.events.filter((e: { type: string }) => e.type === 'TAKEN')).toHaveLength(1);
  }
});

describe('API input and credentials', () => {
  test('a missing or wrong credential is 401, the wrong kind is 403', async () => {
    expect((await h.api('GET', '/api/form-types', null)).status).toBe(401);
    expect((await h.api('GET', '/api/form-types', 'gpk_wrong')).status).toBe(401);
    const wrongKind = await h.api('POST', '/api/requests', h.tokens.amartin, { formType: 'acte-naissance', citizen, answers: {} });
    expect(wrongKind.status).toBe(403);
    const ref = await submitRequest();
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.partnerKey, { notifyCitizen: false })).status).toBe(403);
  });

  test('the form types are listed for partners', async () => {
    const res = await h.api('GET', '/api/form-types', h.partnerKey);
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual({ slug: 'acte-naissance', title: "Demande d'acte de naissance", service: 'etat-civil' });
    expect(res.body).toHaveLength(6);
  });

  test('bad input is 400 naming the field, and nothing is filed', async () => {
    const count = async () => Number((await h.db('requests').count({ n: '*' }).first())?.n);
    const before = await count();
    const cases: [unknown, string][] = [
      [{ formType: 'inconnue', citizen, answers: {} }, 'formType'],
      [{ formType: 'acte-naissance', citizen: { ...citizen, lastName: '' }, answers: {} }, 'citizen.lastName'],
      [{ formType: 'acte-naissance', citizen: { ...citizen, email: 'pas-une-adresse' }, answers: {} }, 'citizen.email'],
      [{ formType: 'acte-naissance', answers: {} }, 'citizen'],
      ['{not json', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await h.api('POST', '/api/requests', h.partnerKey, body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.error.field).toBe(field);
      expect(typeof res.body.error.message).toBe('string');
    }
    expect(await count()).toBe(before);
    const french = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { ...citizen, email: 'x' }, answers: {} });
    expect(french.body.error.message).toBe('citizen.email : Adresse électronique invalide (exemple : nom@exemple.fr).');
  });

  test('bad action input is 400 naming the field', async () => {
    const ref = await submitRequest();
    const t = h.tokens.amartin;
    const cases: [string, object, string][] = [
      ['take', {}, 'notifyCitizen'],
      ['annotate', { eventType: 'INCONNU', comment: 'x' }, 'eventType'],
      ['reassign', { agent: 'personne' }, 'agent'],
      ['reassign', { agent: 'cpetit' }, 'agent'], // no rights on état civil
      ['hold', { reason: '' }, 'reason'],
      ['close', { closingCode: 'EXPIRED', notifyCitizen: false }, 'closingCode'],
    ];
    for (const [action, body, field] of cases) {
      const res = await h.api('POST', `/api/requests/${ref}/${action}`, t, body);
      expect({ action, field, status: res.status }).toEqual({ action, field, status: 400 });
      expect(res.body.error.field).toBe(field);
    }
    await moveTo(ref, 'EN_COURS');
    const past = await h.api('POST', `/api/requests/${ref}/hold`, t, { reason: 'x', until: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.field).toBe('until');
  });

  test('citizen e-mails are refused when the citizen gave no address', async () => {
    const ref = await submitRequest('acte-naissance', { firstName: 'Sans', lastName: 'Courriel' });
    const res = await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'NO_CITIZEN_EMAIL', field: 'notifyCitizen' });
    expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  });

  test('an agent of another service gets 403 and an unknown reference 404', async () => {
    const ref = await submitRequest();
    const other = await h.api('POST', `/api/requests/${ref}/take`, h.tokens.cpetit, { notifyCitizen: false });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    expect((await h.api('GET', `/api/requests/${ref}`, h.tokens.dleroy)).status).toBe(403);
    expect((await h.api('GET', '/api/requests/DEM-1999-000000', h.tokens.amartin)).status).toBe(404);
  });
});

test('the workflow state and the projection agree after each action', async () => {
  const ref = await submitRequest();
  const until = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString();
  const steps: [string, object][] = [
    ['take', { notifyCitizen: false }],
    ['annotate', { eventType: 'NOTE', comment: 'note' }],
    ['hold', { reason: 'pièce manquante', until, waitingForCitizen: true }],
    ['resume', {}],
    ['reassign', { agent: 'bdurand' }],
    ['hold', { reason: 'encore' }],
    ['close', { closingCode: 'TRAITEE', notifyCitizen: false }],
  ];
  const agree = async (after: string) => {
    const state = await workflowState(h, ref);
    expect({ after, projection: await projectedState(h, ref, state) }).toEqual({ after, projection: state });
    return state;
  };
  const states = [await agree('submit')];
  for (const [action, body] of steps) {
    const res = await h.api('POST', `/api/requests/${ref}/${action}`, h.tokens.amartin, body);
    expect({ action, status: res.status }).toEqual({ action, status: 200 });
    // The Update answers once its transition is written: no waiting for the projection.
    states.push(await agree(action));
  }
  // The states compared did move through every field: statuses, the hold's date, the reassignment, the closing code.
  const [anne, bruno] = [(await agentByCode(h, 'amartin')).id, (await agentByCode(h, 'bdurand')).id];
  expect(states.map(({ status, assigneeId, closingCode, holdUntil, seq }) => ({ status, assigneeId, closingCode, holdUntil, seq }))).toEqual([
    { status: 'NON_TRAITEE', assigneeId: null, closingCode: null, holdUntil: null, seq: 1 },
    { status: 'EN_COURS', assigneeId: anne, closingCode: null, holdUntil: null, seq: 2 },
    { status: 'EN_COURS', assigneeId: anne, closingCode: null, holdUntil: null, seq: 3 },
    { status: 'EN_ATTENTE', assigneeId: anne, closingCode: null, holdUntil: Date.parse(until), seq: 4 },
    { status: 'EN_COURS', assigneeId: anne, closingCode: null, holdUntil: null, seq: 5 },
    { status: 'EN_COURS', assigneeId: bruno, closingCode: null, holdUntil: null, seq: 6 },
    { status: 'EN_ATTENTE', assigneeId: bruno, closingCode: null, holdUntil: null, seq: 7 },
    { status: 'CLOTUREE', assigneeId: bruno, closingCode: 'TRAITEE', holdUntil: null, seq: 8 },
  ]);
});
