// The agents' pages and the JSON API check each action with the same schema
// (src/commands/schemas.ts): the same bad input is refused with the same French message,
// and a hold's date means the same instant from both.
import { t } from '../src/i18n';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let web: ReturnType<typeof webClient>;
let csrf: string;
beforeAll(async () => {
  h = await startHarness();
  web = webClient(h.baseUrl, '203.0.113.41');
  expect((await web.login('amartin')).status).toBe(303);
  csrf = await web.csrf('/');
});
afterAll(async () => {
  await h?.close();
});

async function takenRequest(): Promise<string> {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Jeanne', lastName: 'Dupré' }, answers: { motif: 'mariage' } });
  expect(filed.status).toBe(201);
  expect((await h.api('POST', `/api/requests/${filed.body.reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  return filed.body.reference;
}

/** An action from the request page, as htmx sends it. */
const fromPage = (ref: string, action: string, form: Record<string, string>) =>
  web.call('POST', `/demandes/${ref}/${action}`, { ...form, _csrf: csrf }, { 'HX-Request': 'true' });
const fromApi = (ref: string, action: string, body: object) => h.api('POST', `/api/requests/${ref}/${action}`, h.tokens.amartin, body);

const holdUntil = async (ref: string) => Number((await h.db('requests').where({ reference: ref }).first('hold_until')).hold_until);

describe('the same bad input is refused with the same message by the page and the API', () => {
  const long = 'x'.repeat(2001);
  const cases: [string, string, string, Record<string, string>, object][] = [
    ['hold', 'reason', 'ui.invalid.reason', { reason: '  ' }, { reason: '  ' }],
    ['hold', 'reason', 'ui.invalid.tooLong', { reason: long }, { reason: long }],
    ['hold', 'until', 'ui.invalid.until', { reason: 'pièce', until: '2026-02-30' }, { reason: 'pièce', until: '2026-02-30' }],
    ['hold', 'until', 'ui.invalid.until', { reason: 'pièce', until: 'demain' }, { reason: 'pièce', until: 'demain' }],
    ['reassign', 'agent', 'ui.invalid.agent', { agent: '' }, { agent: '' }],
    ['annotate', 'eventType', 'ui.invalid.eventType', { eventType: '', comment: 'appel' }, { eventType: '', comment: 'appel' }],
    ['prioritize', 'priority', 'ui.invalid.priority', { priority: 'urgente' }, { priority: 'urgente' }],
    ['close', 'closingCode', 'ui.invalid.closingCode', { closingCode: '', courriel: 'ne-pas-envoyer' }, { closingCode: '', notifyCitizen: false }],
  ];
  test.each(cases)('%s with a bad %s: %s', async (action, field, key, form, body) => {
    const ref = await takenRequest();
    const message = t(key);
    const api = await fromApi(ref, action, body);
    expect(api.status).toBe(400);
    expect(api.body.error).toEqual({ code: 'INVALID_INPUT', message, field });
    const page = await fromPage(ref, action, form);
    expect(page.status).toBe(400);
    expect(page.text).toContain(message);
    // Nothing happened: still taken, with only the take in its history.
    const got = await h.api('GET', `/api/requests/${ref}`, h.tokens.amartin);
    expect(got.body.status).toBe('EN_COURS');
    expect(got.body.events.map((e: { type: string }) => e.type)).toEqual(['SUBMITTED', 'TAKEN']);
  });

  test('the API says what is missing in French too, for a field the page always sends', async () => {
    const ref = await takenRequest();
    const res = await fromApi(ref, 'close', { closingCode: 'TRAITEE' });
    expect(res.body.error).toEqual({ code: 'INVALID_INPUT', message: t('ui.invalid.notifyCitizen'), field: 'notifyCitizen' });
  });
});

/** The next 15 January (Paris at UTC+1) and 15 July (UTC+2), both less than a year away. */
function nextDays(): { day: string; paris8: string }[] {
  const now = new Date();
  const next = (month: string) => {
    const year = now.getUTCFullYear() + (Date.parse(`${now.getUTCFullYear()}-${month}-14T00:00:00Z`) > now.getTime() ? 0 : 1);
    return `${year}-${month}-15`;
  };
  return [{ day: next('01'), paris8: 'T07:00:00.000Z' }, { day: next('07'), paris8: 'T06:00:00.000Z' }]
    .map(({ day, paris8 }) => ({ day, paris8: `${day}${paris8}` }));
}

describe('a hold until a date', () => {
  test.each(nextDays())('until $day ends at 08:00 Paris time ($paris8), from the page as from the API', async ({ day, paris8 }) => {
    const [byPage, byApi] = [await takenRequest(), await takenRequest()];
    expect((await fromPage(byPage, 'hold', { reason: 'pièce manquante', until: day })).status).toBe(200);
    expect((await fromApi(byApi, 'hold', { reason: 'pièce manquante', until: day })).status).toBe(200);
    expect(new Date(await holdUntil(byPage)).toISOString()).toBe(paris8);
    expect(new Date(await holdUntil(byApi)).toISOString()).toBe(paris8);
  });

  test('a date-time with its offset means that instant (API)', async () => {
    const ref = await takenRequest();
    const { day } = nextDays()[1];
    expect((await fromApi(ref, 'hold', { reason: 'rendez-vous', until: `${day}T14:30:00+02:00` })).status).toBe(200);
    expect(new Date(await holdUntil(ref)).toISOString()).toBe(`${day}T12:30:00.000Z`);
  });

  test('no date, from the page (empty field) or the API (null), is a hold without end', async () => {
    const [byPage, byApi] = [await takenRequest(), await takenRequest()];
    expect((await fromPage(byPage, 'hold', { reason: 'sans date', until: '' })).status).toBe(200);
    expect((await fromApi(byApi, 'hold', { reason: 'sans date', until: null })).status).toBe(200);
    const rows = await h.db('requests').whereIn('reference', [byPage, byApi]).select('status', 'hold_until');
    expect(rows).toEqual([{ status: 'EN_ATTENTE', hold_until: null }, { status: 'EN_ATTENTE', hold_until: null }]);
  });
});
