// Agent assistance (« Entraide »): a room per group, for its members, and one for all agents.
// Posting and reading (page, htmx, API), the unread counts and the badge, marking read,
// refusals (a non-member, malformed bodies, CSRF), and links to requests that only their
// readers see.
import { removeMember, serviceGroupOf, setMember } from '../src/db/groups';
import { agentByCode, submitRequest } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let etatCivil: string;
let urbanisme: string;
beforeAll(async () => {
  h = await startHarness();
  const groupOf = async (slug: string) => {
    const { id } = await h.db('services').where({ slug }).first('id');
    return String((await serviceGroupOf(h.db, Number(id)))!.id);
  };
  etatCivil = await groupOf('etat-civil');
  urbanisme = await groupOf('urbanisme');
});
afterAll(async () => {
  await h?.close();
});

let addresses = 0;
/** A logged-in web client of a demo agent, and the CSRF token of its pages. */
async function browse(code: string) {
  addresses += 1;
  const web = webClient(h.baseUrl, `10.13.0.${addresses}`);
  await web.login(code);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await web.call('GET', '/entraide')).text)![1];
  return { ...web, csrf };
}

const post = (code: string, room: string, body: unknown, request?: string) =>
  h.api('POST', `/api/chat/rooms/${room}/messages`, h.tokens[code], request === undefined ? { body } : { body, request });
const messages = (code: string, room: string, after?: number) =>
  h.api('GET', `/api/chat/rooms/${room}/messages${after === undefined ? '' : `?after=${after}`}`, h.tokens[code]);
const unread = async (code: string) => Object.fromEntries(((await h.api('GET', '/api/chat/rooms', h.tokens[code])).body as { room: string; unread: number }[]).map((r) => [r.room, r.unread]));
const count = async () => Number((await h.db('chat_messages').count({ n: '*' }).first())?.n);
const badgeOf = (html: string) => /<span id="chat-badge"[^>]*>([\s\S]*?)<\/span>\s*<\/a>/.exec(html)?.[1] ?? '';

test('an agent’s rooms: « Tous les agents », then each of their groups', async () => {
  const rooms = await h.api('GET', '/api/chat/rooms', h.tokens.bdurand);
  expect(rooms.status).toBe(200);
  expect(rooms.body.map((r: { room: string; name: string }) => [r.room, r.name])).toEqual([['tous', 'Tous les agents'], [etatCivil, 'État civil'], [urbanisme, 'Urbanisme']]);
  const page = await (await browse('cpetit')).call('GET', '/entraide');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<a href="/entraide" class="chat-link" aria-current="page">Entraide');
  expect(page.text).toContain('<a href="/entraide/tous">Tous les agents</a>');
  expect(page.text).toContain(`<a href="/entraide/${urbanisme}">Urbanisme</a>`);
  expect(page.text).not.toContain(`/entraide/${etatCivil}"`);
});

test('a message posted in a group’s room: read by its members, counted unread until they open the room; the author’s own is never unread', async () => {
  await messages('amartin', etatCivil); // nothing unread to begin with
  await messages('bdurand', etatCivil);
  const anne = await browse('amartin');
  const posted = await anne.call('POST', `/entraide/${etatCivil}`, { _csrf: anne.csrf, body: 'Quelqu’un sait\nrenouveler un acte ?' });
  expect(posted.status).toBe(303);
  expect(posted.headers.get('location')).toBe(`/entraide/${etatCivil}#chat-form`);
  const room = await anne.call('GET', `/entraide/${etatCivil}`);
  expect(room.text).toContain('<h1>Entraide : État civil</h1>');
  expect(room.text).toMatch(/<strong>Anne Martin<\/strong> <span class="muted">\(vous\)<\/span> <time datetime="[^"]+">\d\d:\d\d<\/time>/);
  expect(room.text).toContain('<p class="chat-body">Quelqu’un sait\nrenouveler un acte ?</p>');
  expect((await unread('amartin'))[etatCivil]).toBe(0);

  // Bruno (état civil): one unread, in the badge of every page and in his rooms.
  expect(await unread('bdurand')).toMatchObject({ tous: 0, [etatCivil]: 1, [urbanisme]: 0 });
  const bruno = await browse('bdurand');
  const home = await bruno.call('GET', '/');
  expect(badgeOf(home.text)).toContain('<span class="count count-unread" aria-hidden="true">1</span><span class="visually-hidden">(1 message non lu)</span>');
  const badge = await bruno.call('GET', '/entraide/badge', undefined, { 'HX-Request': 'true' });
  expect(badge.status).toBe(200);
  expect(badge.text).toMatch(/^<span id="chat-badge"[^>]*hx-get="\/entraide\/badge" hx-trigger="every 5s"[^>]*><span class="count count-unread" aria-hidden="true">1<\/span>/);
  expect((await bruno.call('GET', '/entraide')).text).toContain('<strong>1 message non lu</strong>');
  // Opening the room marks it read.
  expect((await bruno.call('GET', `/entraide/${etatCivil}`)).text).toContain('renouveler un acte ?');
  expect((await unread('bdurand'))[etatCivil]).toBe(0);
  expect(badgeOf((await bruno.call('GET', '/entraide/badge')).text + '</a>')).toBe('');
});

test('logged out (session expired), a poller sends the agent to the login page, to come back to the page it polled from', async () => {
  const stranger = webClient(h.baseUrl, '10.13.1.1');
  for (const url of ['/entraide/badge', '/entraide/tous/messages?apres=0']) {
    const answer = await stranger.call('GET', url, undefined, { 'HX-Request': 'true', 'HX-Current-URL': `${h.baseUrl}/entraide/tous?x=1` });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('hx-redirect')).toBe(`/connexion?retour=${encodeURIComponent('/entraide/tous?x=1')}`);
  }
});

test('the room’s poller: 204 while nothing is new, the messages again (read) when a colleague wrote; htmx posting answers the messages and an empty form', async () => {
  const bruno = await browse('bdurand');
  const page = await bruno.call('GET', '/entraide/tous');
  const poll = /hx-get="(\/entraide\/tous\/messages\?apres=\d+)" hx-trigger="every 3s"/.exec(page.text)![1];
  expect((await bruno.call('GET', poll, undefined, { 'HX-Request': 'true' })).status).toBe(204);

  await post('cpetit', 'tous', 'Bonjour à tous');
  expect((await unread('bdurand')).tous).toBe(1);
  const fresh = await bruno.call('GET', poll, undefined, { 'HX-Request': 'true' });
  expect(fresh.status).toBe(200);
  expect(fresh.text).toMatch(/^<div id="chat-region"/);
  expect(fresh.text).toContain('<strong>Chloé Petit</strong>');
  expect(fresh.text).toContain('Bonjour à tous');
  expect(fresh.text).not.toContain('<html');
  expect((await unread('bdurand')).tous).toBe(0);

  const sent = await bruno.call('POST', '/entraide/tous', { _csrf: bruno.csrf, body: 'Bonjour Chloé' }, { 'HX-Request': 'true' });
  expect(sent.status).toBe(200);
  expect(sent.text).toMatch(/^<div id="chat-region"/);
  expect(sent.text).toContain('<p class="chat-body">Bonjour Chloé</p>');
  expect(sent.text).toMatch(/<form id="chat-form"[^>]*hx-swap-oob="true"/);
  expect(sent.text).toMatch(/<textarea id="chat-body"[^>]*><\/textarea>/);
  expect(sent.text).toContain('Message envoyé.');
  expect((await unread('cpetit')).tous).toBe(1);
  expect((await unread('bdurand')).tous).toBe(0);
});

test('a non-member can neither read nor post in a group’s room (404, nothing written); an unknown room is the same', async () => {
  const chloe = await browse('cpetit');
  const before = await count();
  for (const room of [etatCivil, '999999', 'abc', '0']) {
    const page = await chloe.call('GET', `/entraide/${room}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain("Salon introuvable : il n'existe pas, ou il est celui d'un groupe dont vous n'êtes pas membre.");
    expect((await chloe.call('GET', `/entraide/${room}/messages?apres=0`, undefined, { 'HX-Request': 'true' })).status).toBe(404);
    expect((await chloe.call('POST', `/entraide/${room}`, { _csrf: chloe.csrf, body: 'Je m’invite' })).status).toBe(404);
    expect(await messages('cpetit', room)).toMatchObject({ status: 404, body: { error: { code: 'CHAT_ROOM_NOT_FOUND' } } });
    expect(await post('cpetit', room, 'Je m’invite')).toMatchObject({ status: 404, body: { error: { code: 'CHAT_ROOM_NOT_FOUND' } } });
  }
  expect(await count()).toBe(before);
  // A partner key is no agent.
  expect((await h.api('GET', '/api/chat/rooms', h.partnerKey)).status).toBe(403);
  expect((await h.api('POST', '/api/chat/rooms/tous/messages', h.partnerKey, { body: 'x' })).status).toBe(403);
});

test('malformed bodies are refused in French and write nothing: empty, too long, not a text, a wrong reference; without the CSRF token, 403', async () => {
  const anne = await browse('amartin');
  const before = await count();
  const htmx = await anne.call('POST', '/entraide/tous', { _csrf: anne.csrf, body: '   \n ' }, { 'HX-Request': 'true' });
  expect(htmx.status).toBe(400);
  expect(htmx.headers.get('hx-retarget')).toBe('#chat-form');
  expect(htmx.text).toMatch(/^<form id="chat-form"/);
  expect(htmx.text).toContain('<p id="chat-error" class="message message-error" role="alert">Écrivez votre message.</p>');
  const long = 'a'.repeat(2001);
  const page = await anne.call('POST', '/entraide/tous', { _csrf: anne.csrf, body: long });
  expect(page.status).toBe(400);
  expect(page.text).toMatch(/Le message est trop long \(2\s000 caractères au plus\)\./u);
  expect(page.text).toContain(`>${long}</textarea>`);
  const wrongRef = await anne.call('POST', '/entraide/tous', { _csrf: anne.csrf, body: 'Voir', demande: 'la demande de Mme X' }, { 'HX-Request': 'true' });
  expect(wrongRef.status).toBe(400);
  expect(wrongRef.text).toContain(`La demande liée se donne par sa référence, par exemple ${h.config.referencePrefix}-2026-000123.`);
  expect(wrongRef.text).toContain('value="la demande de Mme X"');

  expect(await post('amartin', 'tous', '')).toMatchObject({ status: 400, body: { error: { code: 'CHAT_EMPTY', field: 'body', message: 'Écrivez votre message.' } } });
  expect(await post('amartin', 'tous', long)).toMatchObject({ status: 400, body: { error: { code: 'CHAT_TOO_LONG', field: 'body' } } });
  expect(await post('amartin', 'tous', 42)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'body', message: 'Le message est un texte.' } } });
  expect(await post('amartin', 'tous', 'Voir', 'DEM-26-1')).toMatchObject({ status: 400, body: { error: { code: 'CHAT_REFERENCE_INVALID', field: 'request' } } });
  expect(await h.api('GET', '/api/chat/rooms/tous/messages?after=-1', h.tokens.amartin)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'after' } } });
  expect(await h.api('GET', '/api/chat/rooms/tous/messages?after=abc', h.tokens.amartin)).toMatchObject({ status: 400 });

  const forged = await anne.call('POST', '/entraide/tous', { body: 'Sans jeton' });
  expect(forged.status).toBe(403);
  expect(await count()).toBe(before);
});

test('a message is plain text: markup is shown as typed, never run', async () => {
  const { body } = await post('amartin', 'tous', '<script>alert(1)</script> <b>gras</b>');
  expect(body.body).toBe('<script>alert(1)</script> <b>gras</b>');
  const raw = (await (await browse('cpetit')).call('GET', '/entraide/tous')).body.toString('utf8');
  expect(raw).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;');
  expect(raw).not.toContain('<script>alert(1)');
});

test('a linked request shows as a link only to who may read it; to others its reference stays the typed words, with nothing about it', async () => {
  const birth = (await submitRequest(h, { formType: 'acte-naissance' })).reference; // état civil
  const works = (await submitRequest(h, { formType: 'declaration-travaux' })).reference; // urbanisme
  const ghost = `${h.config.referencePrefix}-2026-999999`;
  const posted = await post('bdurand', 'tous', `Pour ${birth} et ${works}, et ${ghost} ?`, works);
  expect(posted.status).toBe(201);
  expect(posted.body).toMatchObject({ room: 'tous', author: { code: 'bdurand', name: 'Bruno Durand' }, body: `Pour ${birth} et ${works}, et ${ghost} ?`, request: { reference: birth, formType: "Demande d'acte de naissance" } });
  const row = await h.db('chat_messages').where({ id: posted.body.id }).first();
  expect(Number(row.request_id)).toBe(Number((await h.db('requests').where({ reference: birth }).first('id')).id));

  const link = (ref: string, title: string) => `<a href="/demandes/${ref}" title="${ref} : ${title}">${ref}</a>`;
  const anne = (await (await browse('amartin')).call('GET', '/entraide/tous')).text;
  expect(anne).toContain(`Pour ${link(birth, "Demande d'acte de naissance")} et ${works}, et ${ghost} ?`);
  expect(anne).not.toContain('Déclaration préalable');
  const chloe = (await (await browse('cpetit')).call('GET', '/entraide/tous')).text;
  expect(chloe).toContain(`Pour ${birth} et ${link(works, 'Déclaration préalable de travaux')}, et ${ghost} ?`);
  expect(chloe).not.toContain("Demande d'acte de naissance");
  const david = (await (await browse('dleroy')).call('GET', '/entraide/tous')).text;
  expect(david).toContain(`Pour ${birth} et ${works}, et ${ghost} ?`);

  // The API says the same: the request only to whoever may read it.
  const last = async (code: string) => (await messages(code, 'tous')).body.messages.at(-1);
  expect((await last('amartin')).request).toEqual({ reference: birth, formType: "Demande d'acte de naissance" });
  expect((await last('cpetit')).request).toEqual({ reference: works, formType: 'Déclaration préalable de travaux' });
  expect((await last('dleroy')).request).toBeNull();

  // The « demande liée » field adds the reference to the message when it does not name it; an unknown one is taken as words.
  const anneWeb = await browse('amartin');
  await anneWeb.call('POST', `/entraide/${etatCivil}`, { _csrf: anneWeb.csrf, body: 'Celle-ci attend une pièce', demande: birth.toLowerCase() });
  expect((await last('bdurand')).body).toBeDefined();
  const inRoom = (await messages('bdurand', etatCivil)).body.messages.at(-1);
  expect(inRoom).toMatchObject({ body: `Celle-ci attend une pièce\n${birth}`, request: { reference: birth } });
  expect(await post('amartin', etatCivil, 'Et celle-là', ghost)).toMatchObject({ status: 201, body: { body: `Et celle-là\n${ghost}`, request: null } });
});

test('API: after= gives the messages after one, and marks read what it gives', async () => {
  const first = (await post('cpetit', urbanisme, 'Un')).body.id;
  await post('cpetit', urbanisme, 'Deux');
  expect((await unread('bdurand'))[urbanisme]).toBeGreaterThanOrEqual(2);
  const after = await messages('bdurand', urbanisme, first);
  expect(after.status).toBe(200);
  expect(after.body.messages.map((m: { body: string }) => m.body)).toEqual(['Deux']);
  expect(after.body.lastId).toBe(after.body.messages[0].id);
  expect((await unread('bdurand'))[urbanisme]).toBe(0);
  const none = await messages('bdurand', urbanisme, after.body.lastId);
  expect(none.body).toEqual({ messages: [], lastId: after.body.lastId });
});

test('the rooms follow the memberships: an agent who joins a group finds its room (its messages unread), and loses it on leaving', async () => {
  const david = await agentByCode(h, 'dleroy');
  expect(await messages('dleroy', urbanisme)).toMatchObject({ status: 404 });
  const inRoom = (await messages('cpetit', urbanisme)).body.messages.filter((m: { author: { code: string } }) => m.author.code !== 'dleroy').length;
  await setMember(h.db, Number(urbanisme), david.id);
  expect((await unread('dleroy'))[urbanisme]).toBe(inRoom);
  expect((await messages('dleroy', urbanisme)).status).toBe(200);
  expect((await unread('dleroy'))[urbanisme]).toBe(0);
  await removeMember(h.db, Number(urbanisme), david.id);
  expect(await unread('dleroy')).not.toHaveProperty(urbanisme);
  expect(await post('dleroy', urbanisme, 'Encore là ?')).toMatchObject({ status: 404 });
});

test('generated bodies posted to the API: never a 500; a refused one writes nothing, an accepted one one message', async () => {
  const fc = await import('fast-check');
  const statuses = new Set<number>();
  await fc.assert(fc.asyncProperty(
    fc.oneof(fc.anything(), fc.record({ body: fc.oneof(fc.string({ maxLength: 2100 }), fc.anything()), request: fc.oneof(fc.string(), fc.constant(`${h.config.referencePrefix}-2026-000001`), fc.anything()) }, { requiredKeys: [] })),
    async (body) => {
      const before = await count();
      const res = await h.api('POST', '/api/chat/rooms/tous/messages', h.tokens.dleroy, body);
      statuses.add(res.status);
      expect([201, 400]).toContain(res.status);
      expect(await count()).toBe(before + (res.status === 201 ? 1 : 0));
    },
  ), { numRuns: 150 });
  expect(statuses).toContain(400);
});
