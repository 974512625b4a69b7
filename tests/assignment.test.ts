// Assignment (issue 13): S'assigner, Libérer, a dispatcher's reassign with confirmation,
// « Traiter la suivante » (offered to available agents only), « Libérer tous mes
// dossiers » (and an absent colleague's, from « Équipe »), and the choice that opening an
// unassigned request assigns it. Each is a workflow Update refused when stale, in French.
import { startBulk } from '../src/commands/bulk';
import type { Agent } from '../src/db/agents';
import { findBulkJob } from '../src/db/bulkJobs';
import { serviceGroupOf, setMember } from '../src/db/groups';
import { setPresence, type Presence } from '../src/db/presence';
import { agentByCode, agentWithRole, moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let etatCivil: number;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
  const service = await h.db('services').where({ slug: 'etat-civil' }).first('id');
  etatCivil = (await serviceGroupOf(h.db, Number(service.id)))!.id;
});
afterAll(async () => {
  await h?.close();
});

const HTMX = { 'HX-Request': 'true' };
const post = (code: string, reference: string, action: string, body: unknown = {}) => h.api('POST', `/api/requests/${reference}/${action}`, h.tokens[code], body);
const eventTypes = async (reference: string) => ((await h.api('GET', `/api/requests/${reference}`, h.tokens.amartin)).body.events as { type: string }[]).map((e) => e.type);
const holderOf = async (reference: string) => {
  const row = await requestRow(h, reference);
  return { status: row.status, assignee: row.assignee_code };
};
const presence = async (code: string, p: Presence) => setPresence(h.db, (await agentByCode(h, code)).id, p, null, Date.now());
async function web(code: string, address: string) {
  const client = webClient(h.baseUrl, address);
  expect((await client.login(code)).status).toBe(303);
  return client;
}

describe('S\'assigner and Libérer', () => {
  test('an unassigned NON_TRAITEE request: S\'assigner takes it (TAKEN); a colleague then is refused « déjà assignée à Anne Martin », another group\'s agent gets 403', async () => {
    const { reference } = await submitRequest(h);
    const other = await post('cpetit', reference, 'assign');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');

    const res = await post('amartin', reference, 'assign');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'EN_COURS', assignee: { code: 'amartin', name: 'Anne Martin' } });
    expect(res.body.events.at(-1)).toMatchObject({ type: 'TAKEN', agent: { code: 'amartin' } });

    const before = await eventTypes(reference);
    const stale = await post('bdurand', reference, 'assign');
    expect(stale.status).toBe(409);
    expect(stale.body.error).toEqual({ code: 'ALREADY_ASSIGNED', message: 'Cette demande est déjà assignée à Anne Martin.' });
    expect(await eventTypes(reference)).toEqual(before);

    const bad = await h.api('POST', `/api/requests/${reference}/assign`, h.tokens.amartin, '[1]');
    expect(bad.status).toBe(400);
  });

  test('release: the request goes back to the queue unassigned, its status kept (RELEASED); another agent then assigns it to themselves (ASSIGNED)', async () => {
    const { reference } = await submitRequest(h);
    await moveTo(h, reference, 'EN_ATTENTE', { agent: 'amartin' });

    // Only its holder (or a dispatcher) releases it.
    const notHolder = await post('bdurand', reference, 'release');
    expect(notHolder.status).toBe(403);
    expect(notHolder.body.error.code).toBe('HELD_BY_COLLEAGUE');
    expect(await holderOf(reference)).toEqual({ status: 'EN_ATTENTE', assignee: 'amartin' });

    const released = await post('amartin', reference, 'release');
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'EN_ATTENTE', assignee: null });
    expect(released.body.events.at(-1)).toMatchObject({ type: 'RELEASED', agent: { code: 'amartin' } });

    const again = await post('amartin', reference, 'release');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOT_ASSIGNED');

    const mine = await post('bdurand', reference, 'assign');
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ status: 'EN_ATTENTE', assignee: { code: 'bdurand' } });
    expect(mine.body.events.at(-1)).toMatchObject({ type: 'ASSIGNED', agent: { code: 'bdurand' } });

    await moveTo(h, (await submitRequest(h)).reference, 'CLOTUREE', { agent: 'amartin' }).then(async (closed) => {
      const res = await post('amartin', closed.reference, 'assign');
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ALREADY_CLOSED');
    });
  });

  test('the page: a released request offers « M\'assigner », its holder « Libérer »; a stale click says who was quicker, in the panel', async () => {
    const { reference } = await submitRequest(h);
    await moveTo(h, reference, 'EN_COURS', { agent: 'amartin' });
    const anne = await web('amartin', '10.61.0.1');
    const bruno = await web('bdurand', '10.61.0.2');
    expect((await anne.call('GET', `/demandes/${reference}`)).text).toContain('Libérer la demande');
    expect((await bruno.call('GET', `/demandes/${reference}`)).text).not.toContain('Libérer la demande');

    const csrf = await anne.csrf(`/demandes/${reference}`);
    const released = await anne.call('POST', `/demandes/${reference}/release`, { _csrf: csrf }, HTMX);
    expect(released.status).toBe(200);
    expect(released.text).toContain('Demande libérée : elle attend dans la file du groupe.');
    expect(released.text).toContain('M\'assigner cette demande');

    const brunoCsrf = await bruno.csrf(`/demandes/${reference}`);
    await post('amartin', reference, 'assign');
    const stale = await bruno.call('POST', `/demandes/${reference}/assign`, { _csrf: brunoCsrf }, HTMX);
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Cette demande est déjà assignée à Anne Martin.');
    expect(await holderOf(reference)).toEqual({ status: 'EN_COURS', assignee: 'amartin' });
  });

  test('five agents assign the same request at once: one wins, the others are told who', async () => {
    const { reference } = await submitRequest(h);
    const agents = [await agentWithRole(h, 'agent'), await agentWithRole(h, 'agent'), await agentWithRole(h, 'agent'), await agentWithRole(h, 'agent'), await agentWithRole(h, 'agent')];
    const answers = await Promise.all(agents.map((a) => h.api('POST', `/api/requests/${reference}/assign`, a.token, {})));
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    const winner = winners[0].body.assignee.name as string;
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(lost.body.error.message).toBe(`Cette demande est déjà assignée à ${winner}.`);
    }
    expect((await eventTypes(reference)).filter((t) => t === 'TAKEN')).toHaveLength(1);
  });
});

describe('a dispatcher reassigns, with confirmation', () => {
  test('a plain agent cannot take a colleague\'s request from them (403); the group\'s dispatcher can, once confirmed (409 CONFIRMATION_REQUIRED first)', async () => {
    const { reference } = await submitRequest(h);
    await moveTo(h, reference, 'EN_COURS', { agent: 'amartin' });
    const plain = await agentWithRole(h, 'agent');
    const dispatcher = await agentWithRole(h, 'agent');
    await setMember(h.db, etatCivil, dispatcher.agent.id, 'DISPATCHER');

    const refused = await h.api('POST', `/api/requests/${reference}/reassign`, plain.token, { agent: 'bdurand' });
    expect(refused.status).toBe(403);

    const ask = await h.api('POST', `/api/requests/${reference}/reassign`, dispatcher.token, { agent: 'bdurand' });
    expect(ask.status).toBe(409);
    expect(ask.body.error).toEqual({ code: 'CONFIRMATION_REQUIRED', message: 'Cette demande est assignée à Anne Martin : confirmez-vous qu\'elle passe à Bruno Durand ?' });
    expect(await holderOf(reference)).toEqual({ status: 'EN_COURS', assignee: 'amartin' });

    const done = await h.api('POST', `/api/requests/${reference}/reassign`, dispatcher.token, { agent: 'bdurand', confirm: true });
    expect(done.status).toBe(200);
    expect(done.body.assignee.code).toBe('bdurand');

    // The page: the form says who holds it and asks to confirm; without the box, the question; with it, done.
    const page = await dispatcher.web();
    const shown = await page.call('GET', `/demandes/${reference}`);
    expect(shown.text).toContain('Actuellement assignée à Bruno Durand.');
    const csrf = await page.csrf(`/demandes/${reference}`);
    const unconfirmed = await page.call('POST', `/demandes/${reference}/reassign`, { _csrf: csrf, agent: 'amartin' }, HTMX);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.text).toContain('Cette demande est assignée à Bruno Durand : confirmez-vous qu\'elle passe à Anne Martin ?');
    const confirmed = await page.call('POST', `/demandes/${reference}/reassign`, { _csrf: csrf, agent: 'amartin', confirme: 'oui' }, HTMX);
    expect(confirmed.status).toBe(200);
    expect(await holderOf(reference)).toEqual({ status: 'EN_COURS', assignee: 'amartin' });

    // An agent still hands over what is theirs, without any question.
    const handed = await post('amartin', reference, 'reassign', { agent: 'bdurand' });
    expect(handed.status).toBe(200);
  });

  test('many at once from a list\'s bulk bar: a dispatcher gives colleagues\' requests to a named one; a plain agent\'s job refuses them, saying why', async () => {
    const dispatcher = await agentWithRole(h, 'agent');
    await setMember(h.db, etatCivil, dispatcher.agent.id, 'DISPATCHER');
    const plain = await agentWithRole(h, 'agent');
    const held = [await submitRequest(h), await submitRequest(h)];
    for (const f of held) await moveTo(h, f.reference, 'EN_COURS', { agent: 'amartin' });
    const run = async (agent: Agent, code: string) => {
      const jobId = await startBulk(h.ctx, agent, { action: 'reassign', requestIds: held.map((f) => f.id), targetAgent: code, notifyCitizen: false });
      await waitFor(async () => (await findBulkJob(h.db, jobId))?.finished_at, 30000, 'the bulk job');
      return h.db('bulk_items').where({ job_id: jobId }).orderBy('position').select('outcome', 'message');
    };
    const refused = await run(plain.agent, 'bdurand');
    expect(refused.map((i: { outcome: string }) => i.outcome)).toEqual(['REFUSED', 'REFUSED']);
    expect(refused[0].message).toContain('assignée à un collègue');
    for (const f of held) expect((await holderOf(f.reference)).assignee).toBe('amartin');
    const given = await run(dispatcher.agent, 'bdurand');
    expect(given.map((i: { outcome: string }) => i.outcome)).toEqual(['OK', 'OK']);
    for (const f of held) expect((await holderOf(f.reference)).assignee).toBe('bdurand');
  });
});

describe('« Traiter la suivante »', () => {
  test('offered only to an available agent: the button is hidden and the API refuses in French otherwise', async () => {
    const agent = await agentWithRole(h, 'agent');
    const page = await agent.web();
    expect((await page.call('GET', '/')).text).toContain('Traiter la suivante');
    expect((await page.call('GET', '/demandes/non-traitees')).text).toContain('Traiter la suivante');
    await presence(agent.code, 'PAUSE');
    expect((await page.call('GET', '/')).text).not.toContain('Traiter la suivante');
    expect((await page.call('GET', '/demandes/non-traitees')).text).not.toContain('Traiter la suivante');
    const refused = await h.api('POST', '/api/requests/next', agent.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'NOT_AVAILABLE', message: '« Traiter la suivante » est réservé aux agents disponibles : votre présence est « Pause ».' });
  });

  test('serves the most urgent first: priority, then the nearest deletion date, then the oldest; nothing left says so', async () => {
    // Another group alone: a new group with one member and its own form type's requests.
    const agent = await agentWithRole(h, 'agent', { service: 'voirie' });
    await h.db('agent_groups').where({ agent_id: agent.agent.id }).delete();
    const [groupId] = await h.db('groups').insert({ name: 'Suivante – essai', follows_service: false, created_at: Date.now() });
    await setMember(h.db, Number(groupId), agent.agent.id);
    const filed = [];
    for (let i = 0; i < 3; i += 1) {
      filed.push((await submitRequest(h, { formType: 'signalement-voirie', answers: { objet: 'x' } })).reference);
    }
    await h.db('requests').whereIn('reference', filed).update({ group_id: Number(groupId), priority: 2 });
    // The last filed is haute; of the two moyenne ones, the first filed is deleted first.
    await h.db('requests').where({ reference: filed[2] }).update({ priority: 1 });
    const served = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await h.api('POST', '/api/requests/next', agent.token);
      expect(res.status).toBe(200);
      expect(res.body.assignee.code).toBe(agent.code);
      served.push(res.body.reference);
    }
    expect(served).toEqual([filed[2], filed[0], filed[1]]);
    const none = await h.api('POST', '/api/requests/next', agent.token);
    expect(none.status).toBe(404);
    expect(none.body.error).toEqual({ code: 'NOTHING_TO_SERVE', message: 'Aucune demande non assignée n\'attend dans vos groupes : rien à traiter pour l\'instant.' });

    // The page: back where the agent was, with the reason.
    const page = await agent.web();
    const back = await page.call('POST', '/suivante', { _csrf: await page.csrf('/'), retour: '/demandes/non-traitees' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/demandes/non-traitees');
    expect((await page.call('GET', '/demandes/non-traitees')).text).toContain('rien à traiter pour l\'instant');
  });

  test('the button opens the request served, assigned to me', async () => {
    const agent = await agentWithRole(h, 'agent');
    const page = await agent.web();
    await submitRequest(h);
    const res = await page.call('POST', '/suivante', { _csrf: await page.csrf('/'), retour: '/' });
    expect(res.status).toBe(303);
    const reference = /\/demandes\/(.+)$/.exec(res.headers.get('location') ?? '')![1];
    expect((await holderOf(reference)).assignee).toBe(agent.code);
    expect((await page.call('GET', `/demandes/${reference}`)).text).toContain(`La demande ${reference}, la plus urgente de vos groupes, vous est assignée.`);
  });
});

describe('« Libérer tous mes dossiers »', () => {
  test('a preview lists what will be released; then all go back to the queue, or to a named colleague', async () => {
    const agent = await agentWithRole(h, 'agent');
    const refs = [(await submitRequest(h)).reference, (await submitRequest(h)).reference];
    await moveTo(h, refs[0], 'EN_COURS', { agent: agent.agent });
    await moveTo(h, refs[1], 'EN_ATTENTE', { agent: agent.agent });
    const page = await agent.web();
    expect((await page.call('GET', '/mon-compte')).text).toContain('href="/mes-dossiers/liberer"');
    const preview = await page.call('GET', '/mes-dossiers/liberer');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('2 demandes ouvertes sont assignées');
    for (const ref of refs) expect(preview.text).toContain(ref);

    const done = await page.call('POST', '/mes-dossiers/liberer', { _csrf: await page.csrf('/mes-dossiers/liberer'), mode: 'liberer' });
    expect(done.status).toBe(303);
    expect(await holderOf(refs[0])).toEqual({ status: 'EN_COURS', assignee: null });
    expect(await holderOf(refs[1])).toEqual({ status: 'EN_ATTENTE', assignee: null });
    const after = await page.call('GET', '/mes-dossiers/liberer');
    expect(after.text).toContain('2 demandes libérées.');
    expect(after.text).toContain('Aucune demande ouverte n\'est assignée : rien à libérer.');

    // Handed to a colleague instead.
    for (const ref of refs) await post('bdurand', ref, 'assign').then(() => undefined);
    const bruno = await web('bdurand', '10.61.0.9');
    const handed = await bruno.call('POST', '/mes-dossiers/liberer', { _csrf: await bruno.csrf('/mes-dossiers/liberer'), mode: 'remettre', agent: 'amartin' });
    expect(handed.status).toBe(303);
    expect((await bruno.call('GET', '/mes-dossiers/liberer')).text).toMatch(/\d demandes remises à Anne Martin\./);
    for (const ref of refs) expect((await holderOf(ref)).assignee).toBe('amartin');
  });

  test('for an absent colleague: a dispatcher of their group from « Équipe »; a plain colleague gets 403', async () => {
    const absent = await agentWithRole(h, 'agent');
    const { reference } = await submitRequest(h);
    await moveTo(h, reference, 'EN_COURS', { agent: absent.agent });
    await presence(absent.code, 'ABSENT');
    const plain = await agentWithRole(h, 'agent');
    const dispatcher = await agentWithRole(h, 'agent');
    await setMember(h.db, etatCivil, dispatcher.agent.id, 'SUPERVISOR');

    const plainPage = await plain.web();
    expect((await plainPage.call('GET', '/equipe')).text).not.toContain(`/equipe/${absent.code}/liberer`);
    expect((await plainPage.call('GET', `/equipe/${absent.code}/liberer`)).status).toBe(403);
    const forged = await plainPage.call('POST', `/equipe/${absent.code}/liberer`, { _csrf: await plainPage.csrf('/'), mode: 'liberer' });
    expect(forged.status).toBe(403);
    expect((await holderOf(reference)).assignee).toBe(absent.code);

    const page = await dispatcher.web();
    expect((await page.call('GET', '/equipe')).text).toContain(`/equipe/${absent.code}/liberer`);
    const preview = await page.call('GET', `/equipe/${absent.code}/liberer`);
    expect(preview.text).toContain(`Libérer les dossiers de ${absent.agent.name}`);
    expect(preview.text).toContain(reference);
    // The absent colleague is no choice to hand them to; an unknown one is refused in French.
    const unknown = await page.call('POST', `/equipe/${absent.code}/liberer`, { _csrf: await page.csrf('/'), mode: 'remettre', agent: 'personne' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Agent inconnu : personne.');
    const done = await page.call('POST', `/equipe/${absent.code}/liberer`, { _csrf: await page.csrf('/'), mode: 'liberer' });
    expect(done.status).toBe(303);
    expect(await holderOf(reference)).toEqual({ status: 'EN_COURS', assignee: null });
  });
});

test('the choice « ouvrir une demande non assignée me l\'assigne »: off by default; on, opening an unassigned request assigns it, not one a colleague holds', async () => {
  const agent = await agentWithRole(h, 'agent');
  const page = await agent.web();
  const first = (await submitRequest(h)).reference;
  await page.call('GET', `/demandes/${first}`);
  expect((await holderOf(first)).assignee).toBeNull();
  expect((await page.call('GET', '/mon-compte')).text).not.toMatch(/id="open-assigns"[^>]*checked/);

  const saved = await page.call('POST', '/mon-compte/ouverture', { _csrf: await page.csrf('/mon-compte'), ouverture: 'oui' });
  expect(saved.status).toBe(303);
  expect((await page.call('GET', '/mon-compte')).text).toMatch(/id="open-assigns"[^>]*checked/);

  const opened = await page.call('GET', `/demandes/${first}`);
  expect(opened.status).toBe(200);
  expect(await holderOf(first)).toEqual({ status: 'EN_COURS', assignee: agent.code });
  // The panel's own refresh assigns nothing; a colleague's request stays theirs.
  const second = (await submitRequest(h)).reference;
  await page.call('GET', `/demandes/${second}`, undefined, HTMX);
  expect((await holderOf(second)).assignee).toBeNull();
  await moveTo(h, second, 'EN_COURS', { agent: 'amartin' });
  await page.call('GET', `/demandes/${second}`);
  expect((await holderOf(second)).assignee).toBe('amartin');
});
