// The supervisor's board (« Tableau de bord », /supervision and GET /api/supervision): two
// groups (État civil, Urbanisme) with agents of different presences and requests moved
// through the real commands; every figure is checked on the page and in the API. A plain
// agent is refused; a group's supervisor sees their group only; htmx redraws the figures.
import { changeDelays } from '../src/commands/changeDelays';
import { findGroupByName, setMember } from '../src/db/groups';
import { launchBrowser, loggedIn } from './support/browser';
import { agentWithRole, moveTo, submitRequest, type AgentWithRole, type Filed } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let supA: AgentWithRole;
let supB: AgentWithRole;
let absent: AgentWithRole;
let groupA: number;
let groupB: number;
const A = {} as Record<'oldest' | 'waiting' | 'nearDeletion' | 'taken1' | 'held' | 'taken2' | 'closed1' | 'closed2', Filed>;
const B = {} as Record<'waiting' | 'taken' | 'closed', Filed>;
let before: number;

const HOUR = 3600_000;
const file = (formType: string, lastName: string) => submitRequest(h, { formType, citizen: { firstName: 'Tableau', lastName } });

beforeAll(async () => {
  // The board redraws every second here (10 s by default).
  h = await startHarness({ env: { BOARD_REFRESH_SECONDS: '1' } });
  before = Date.now();
  groupA = Number((await findGroupByName(h.db, 'État civil'))!.id);
  groupB = Number((await findGroupByName(h.db, 'Urbanisme'))!.id);
  supA = await agentWithRole(h, 'agent', { service: 'etat-civil' });
  supB = await agentWithRole(h, 'agent', { service: 'urbanisme' });
  absent = await agentWithRole(h, 'agent', { service: 'etat-civil' });
  await setMember(h.db, groupA, supA.agent.id, 'SUPERVISOR');
  await setMember(h.db, groupB, supB.agent.id, 'SUPERVISOR');
  // Marriage certificates are within their deletion warning as soon as filed.
  await changeDelays(h.ctx, 'acte-mariage', { deletionMs: 10 * HOUR, deletionWarningMs: 10 * HOUR });

  A.oldest = await file('acte-naissance', 'Ancienne');
  A.waiting = await file('acte-naissance', 'Attente');
  A.nearDeletion = await file('acte-mariage', 'Suppression');
  A.taken1 = await file('acte-naissance', 'Prise');
  A.held = await file('acte-naissance', 'Suspendue');
  A.taken2 = await file('acte-naissance', 'Durand');
  A.closed1 = await file('acte-naissance', 'Close');
  A.closed2 = await file('acte-naissance', 'Classée');
  B.waiting = await file('declaration-travaux', 'Urbaine');
  B.taken = await file('declaration-travaux', 'Chantier');
  B.closed = await file('declaration-travaux', 'Permis');
  await moveTo(h, A.taken1.reference, 'EN_COURS', { agent: 'amartin' });
  await moveTo(h, A.held.reference, 'EN_ATTENTE', { agent: 'amartin' });
  await moveTo(h, A.taken2.reference, 'EN_COURS', { agent: 'bdurand' });
  await moveTo(h, A.closed1.reference, 'CLOTUREE', { agent: 'amartin', closingCode: 'TRAITEE' });
  await moveTo(h, A.closed2.reference, 'CLOTUREE', { agent: 'bdurand', closingCode: 'SANS_SUITE' });
  await moveTo(h, B.taken.reference, 'EN_COURS', { agent: 'cpetit' });
  await moveTo(h, B.closed.reference, 'CLOTUREE', { agent: 'cpetit', closingCode: 'TRAITEE' });

  const presence = async (token: string, value: string) => expect((await h.api('PUT', '/api/me/presence', token, { presence: value })).status).toBe(200);
  await presence(h.tokens.amartin, 'OCCUPE');
  await presence(h.tokens.bdurand, 'PAUSE');
  await presence(h.tokens.cpetit, 'REUNION');
  await presence(absent.token, 'ABSENT');
  await callbacksConsultationsAndCalls();
}, 120000);
afterAll(async () => {
  await h?.close();
});

/** Callbacks, consultations and calls, written straight into their tables: the board only counts them. */
async function callbacksConsultationsAndCalls(): Promise<void> {
  const now = Date.now();
  const id = async (f: Filed) => Number((await h.db('requests').where({ reference: f.reference }).first('id')).id);
  const callback = async (f: Filed, group: number, dueAt: number, status: string) =>
    h.db('callbacks').insert({ request_id: await id(f), group_id: group, agent_id: supA.agent.id, due_at: dueAt, status, created_at: now });
  // A: one due a minute ago, one missed an hour ago (DUE) → 2; later, done or cancelled ones do not count.
  await callback(A.taken1, groupA, now - 60_000, 'PLANNED');
  await callback(A.held, groupA, now - HOUR, 'DUE');
  await callback(A.taken1, groupA, now + 2 * HOUR, 'PLANNED');
  await callback(A.taken2, groupA, now - 60_000, 'DONE');
  await callback(A.taken2, groupA, now - 60_000, 'CANCELLED');
  await callback(B.taken, groupB, now - 60_000, 'PLANNED');

  const consult = async (f: Filed, from: number, to: number, status: string) =>
    h.db('consultations').insert({ request_id: await id(f), from_group_id: from, to_group_id: to, asked_by: supA.agent.id, status, asked_at: now });
  await consult(A.held, groupA, groupB, 'PENDING');
  await consult(A.taken1, groupA, groupB, 'ANSWERED');
  await consult(B.taken, groupB, groupA, 'PENDING');
  await consult(B.taken, groupB, groupA, 'PENDING');
  await consult(B.taken, groupB, groupA, 'WITHDRAWN');

  let seq = 1000;
  const call = async (f: Filed, code: string, at = Date.now()) => {
    seq += 1;
    await h.db('events').insert({ request_id: await id(f), seq, type: 'CALL_LOGGED', agent_id: supA.agent.id, at, wrap_up_code: code });
  };
  await call(A.taken1, 'JOINT');
  await call(A.taken2, 'JOINT');
  await call(A.held, 'PAS_DE_REPONSE');
  await call(A.held, 'PAS_DE_REPONSE', now - 2 * 24 * HOUR); // not today
  await call(B.taken, 'MAUVAIS_NUMERO');
}

/** One group's part of the page. */
function section(html: string, groupId: number): string {
  const start = html.indexOf(`<section class="board-group" id="groupe-${groupId}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** The cell beside a row's header, its tags removed. */
function cell(html: string, label: string): string {
  const row = new RegExp(`<th scope="row"[^>]*>(?:<span[^>]*>)?${label.replace(/[().]/g, '\\$&')}(?:</span>)?</th>((?:<td>.*?</td>)+)</tr>`).exec(html);
  if (!row) throw new Error(`no row « ${label} »`);
  return [...row[1].matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, '')).join(' | ');
}

test('a supervisor sees their group’s figures, live and today’s, in tables; not another group’s', async () => {
  const web = await supA.web();
  const page = await web.call('GET', '/supervision');
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/<a href="\/supervision" aria-current="page">\s*Tableau de bord\s*<\/a>/);
  expect(page.text).not.toContain('id="groupe-' + groupB + '"');
  expect(page.text).not.toContain(B.waiting.reference);
  const a = section(page.text, groupA);
  expect(a).toContain('<h2 id="groupe-' + groupA + '-titre">État civil</h2>');

  expect(cell(a, 'En attente, sans agent')).toBe('3');
  expect(cell(a, 'La plus ancienne en attente')).toMatch(new RegExp(`^${A.oldest.reference}, depuis \\d+ min \\(\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d\\)$`));
  expect(a).toContain(`<a id="groupe-${groupA}-plus-ancienne" href="/demandes/${A.oldest.reference}">${A.oldest.reference}</a>`);
  expect(cell(a, 'Rappels à faire dans l\'heure')).toBe('2');
  expect(cell(a, 'Avis demandés au groupe, sans réponse')).toBe('2');
  expect(cell(a, 'Avis demandés par le groupe, sans réponse')).toBe('1');
  expect(cell(a, 'Non traitées proches de la suppression')).toMatch(new RegExp(`^1 — la première : ${A.nearDeletion.reference}, \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d$`));

  expect(cell(a, 'Prises en compte')).toBe('5');
  expect(cell(a, 'Clôturées')).toBe('2');
  expect(cell(a, 'dont « Traitée »')).toBe('1');
  expect(cell(a, 'dont « Sans suite »')).toBe('1');
  expect(cell(a, 'Joint')).toBe('2');
  expect(cell(a, 'Pas de réponse')).toBe('1');
  expect(a).not.toContain('Mauvais numéro');

  expect(cell(a, 'Anne Martin')).toBe('2');
  expect(cell(a, 'Bruno Durand')).toBe('1');
  expect(a.indexOf('<th scope="row">Anne Martin</th>')).toBeLessThan(a.indexOf('<th scope="row">Bruno Durand</th>'));

  expect(cell(a, 'Disponible')).toBe(`2 | ${supA.agent.name}, Claire Admin`);
  expect(cell(a, 'Occupé')).toBe('1 | Anne Martin');
  expect(cell(a, 'Absent')).toBe(`1 | ${absent.agent.name}`);
  expect(cell(a, 'Pause')).toBe('1 | Bruno Durand');
  expect(cell(a, 'Réunion')).toBe('0 | ');
  expect(cell(a, 'Formation')).toBe('0 | ');
  // Every table says what it holds.
  expect(a.match(/<caption>/g)).toHaveLength(5);
});

test('the API gives the same figures, of the supervisor’s groups only', async () => {
  const res = await h.api('GET', '/api/supervision', supB.token);
  expect(res.status).toBe(200);
  expect(res.body.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(res.body.groups.map((g: { name: string }) => g.name)).toEqual(['Urbanisme']);
  const [b] = res.body.groups;
  expect(b).toMatchObject({
    id: groupB,
    waiting: { count: 1, oldest: { reference: B.waiting.reference } },
    assigned: [{ code: 'cpetit', name: 'Chloé Petit', count: 1 }],
    callbacksDue: 1,
    consultations: { askedOfGroup: 1, askedByGroup: 2 },
    nearDeletion: { count: 0, soonest: null },
    today: { taken: 2, closed: 1, closedByCode: [{ code: 'TRAITEE', label: 'Traitée', count: 1 }], callsByWrapUpCode: [{ code: 'MAUVAIS_NUMERO', count: 1 }] },
  });
  const names = (presence: string) => b.presence.find((p: { presence: string }) => p.presence === presence).agents.map((x: { name: string }) => x.name);
  expect(b.presence.map((p: { presence: string }) => p.presence)).toEqual(['DISPONIBLE', 'OCCUPE', 'ABSENT', 'PAUSE', 'REUNION', 'FORMATION']);
  expect(names('DISPONIBLE')).toEqual([supB.agent.name, 'Claire Admin']);
  expect(names('PAUSE')).toEqual(['Bruno Durand']);
  expect(names('REUNION')).toEqual(['Chloé Petit']);
  expect(names('ABSENT')).toEqual([]);

  const a = (await h.api('GET', '/api/supervision', supA.token)).body.groups;
  expect(a).toHaveLength(1);
  expect(a[0]).toMatchObject({
    id: groupA,
    name: 'État civil',
    waiting: { count: 3, oldest: { reference: A.oldest.reference } },
    assigned: [{ code: 'amartin', count: 2 }, { code: 'bdurand', count: 1 }],
    callbacksDue: 2,
    consultations: { askedOfGroup: 2, askedByGroup: 1 },
    nearDeletion: { count: 1, soonest: { reference: A.nearDeletion.reference } },
    today: {
      taken: 5,
      closed: 2,
      closedByCode: expect.arrayContaining([{ code: 'TRAITEE', label: 'Traitée', count: 1 }, { code: 'SANS_SUITE', label: 'Sans suite', count: 1 }]),
      callsByWrapUpCode: [{ code: 'JOINT', label: 'Joint', count: 2 }, { code: 'PAS_DE_REPONSE', label: 'Pas de réponse', count: 1 }],
    },
  });
  const oldestAt = Date.parse(a[0].waiting.oldest.createdAt);
  expect(oldestAt).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(a[0].nearDeletion.soonest.deletionAt) - Date.parse(res.body.at)).toBeLessThanOrEqual(10 * HOUR);
  expect(Date.parse(a[0].nearDeletion.soonest.deletionAt) - Date.parse(res.body.at)).toBeGreaterThan(9 * HOUR);
});

test('logged out, the board asks to log in', async () => {
  const res = await webClient(h.baseUrl, '10.9.0.2').call('GET', '/supervision');
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toMatch(/^\/connexion/);
});

test('an administrator sees every group; a plain agent is refused on the page and in the API, and is not offered the board', async () => {
  const admin = (await h.api('GET', '/api/supervision', h.tokens.admin)).body.groups.map((g: { name: string }) => g.name);
  expect(admin).toEqual(['État civil', 'Urbanisme', 'Voirie et propreté']);

  const web = webClient(h.baseUrl, '10.9.0.1');
  await web.login('amartin');
  const page = await web.call('GET', '/supervision');
  expect(page.status).toBe(403);
  expect(page.text).toContain('Le tableau de bord est réservé aux superviseurs d\'un groupe et aux administrateurs.');
  expect(page.text).not.toContain('En attente, sans agent');
  expect((await web.call('GET', '/')).text).not.toContain('href="/supervision"');
  const api = await h.api('GET', '/api/supervision', h.tokens.amartin);
  expect(api).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  expect((await h.api('GET', '/api/supervision', h.partnerKey)).status).toBe(403);
  expect((await h.api('GET', '/api/supervision', null)).status).toBe(401);
  // A dispatcher is no supervisor.
  await setMember(h.db, groupA, (await h.db('agents').where({ code: 'amartin' }).first('id')).id, 'DISPATCHER');
  expect((await h.api('GET', '/api/supervision', h.tokens.amartin)).status).toBe(403);
  await setMember(h.db, groupA, (await h.db('agents').where({ code: 'amartin' }).first('id')).id, 'AGENT');
});

test('the page polls its figures; htmx gets the figures alone, up to date', async () => {
  const web = await supA.web();
  const page = await web.call('GET', '/supervision');
  expect(page.text).toContain('<div id="board" hx-get="/supervision" hx-trigger="every 1s" hx-swap="innerHTML">');
  const late = await file('acte-naissance', 'Tardive');
  await moveTo(h, A.waiting.reference, 'EN_COURS', { agent: supA.agent });
  const part = await web.call('GET', '/supervision', undefined, { 'HX-Request': 'true', 'HX-Target': 'board' });
  expect(part.status).toBe(200);
  expect(part.text).not.toContain('<html');
  expect(part.text).not.toContain('<h1>');
  const a = section(part.text, groupA);
  expect(cell(a, 'En attente, sans agent')).toBe('3');
  expect(cell(a, 'Prises en compte')).toBe('6');
  expect(cell(a, supA.agent.name)).toBe('1');
  expect(a).not.toContain(late.reference); // not the oldest

  // No longer a supervisor: the next poll is refused in French, in place.
  await setMember(h.db, groupA, supA.agent.id, 'AGENT');
  const refused = await web.call('GET', '/supervision', undefined, { 'HX-Request': 'true', 'HX-Target': 'board' });
  expect(refused.status).toBe(403);
  expect(refused.text).not.toContain('<html');
  expect(refused.text).toContain('Le tableau de bord est réservé aux superviseurs d\'un groupe et aux administrateurs.');
  await setMember(h.db, groupA, supA.agent.id, 'SUPERVISOR');
});

test('in Chromium the figures redraw by themselves, the page keeping its scroll and the focus', async () => {
  const browser = await launchBrowser();
  try {
    const { context, page } = await loggedIn(browser, h.baseUrl, supA.code);
    await page.setViewportSize({ width: 390, height: 600 });
    await page.goto('/supervision');
    const waiting = page.locator(`#groupe-${groupA}`).getByRole('row', { name: /En attente, sans agent/ }).locator('td');
    const count = Number(await waiting.textContent());
    await page.locator(`#groupe-${groupA}-plus-ancienne`).focus();
    await page.evaluate(() => {
      const w = globalThis as unknown as { scrollTo(x: number, y: number): void; notReloaded: boolean };
      w.scrollTo(0, 400);
      w.notReloaded = true;
    });
    const scrolled = await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    expect(scrolled).toBeGreaterThan(300);

    await file('acte-naissance', 'Nouvelle');
    await waitFor(async () => Number(await waiting.textContent()) === count + 1, 15000, 'the redrawn count');
    const after = await page.evaluate(() => {
      const w = globalThis as unknown as { scrollY: number; notReloaded?: boolean; document: { activeElement: { id: string } | null } };
      return { scrollY: w.scrollY, notReloaded: w.notReloaded, focused: w.document.activeElement?.id };
    });
    expect(after).toEqual({ scrollY: scrolled, notReloaded: true, focused: `groupe-${groupA}-plus-ancienne` });
    await context.close();
  } finally {
    await browser.close();
  }
});
