// Groups and queues (issue 13): the administrator manages groups, their members and roles,
// and chooses each form type's queue (pages and `npx guichet group …`); a new request lands
// in its form type's group, whose members only see it and act on it. The agents' views:
// « Dossiers du groupe » (my queues, assigned or not, with counts and filters), « Mes
// dossiers », « Dossiers traités par moi » (searched by reference).
import { runGuichet } from './support/cli';
import { moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
let admin: ReturnType<typeof webClient>;
beforeAll(async () => {
  h = await startHarness({ env: { REFRESH_SECONDS: '3600' } });
  admin = webClient(h.baseUrl, '10.91.1.1');
  await admin.login('admin');
  await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin', retour: '/admin' });
});
afterAll(async () => {
  await h?.close();
});

const groupRow = (name: string) => h.db('groups').where({ name }).first();
const membersOf = async (groupId: number) =>
  Object.fromEntries((await h.db('agent_groups as g').join('agents as a', 'a.id', 'g.agent_id').where('g.group_id', groupId).select('a.code', 'g.role')).map((r: { code: string; role: string }) => [r.code, r.role]));

/** An administration form posted with its page's CSRF token. */
async function post(page: string, action: string, fields: Record<string, string> = {}) {
  return admin.call('POST', action, { ...fields, _csrf: await admin.csrf(page) });
}

let accueil: { id: number };

test('the administrator creates, renames and sets a group\'s delay; refusals are French and change nothing; agents may not', async () => {
  const created = await post('/admin/groupes', '/admin/groupes', { name: 'Accueil téléphonique', service: '', consultationDelay: '4 h' });
  expect(created.status).toBe(303);
  const row = await groupRow('Accueil téléphonique');
  expect(row).toMatchObject({ service_id: null });
  expect(Number(row.consultation_reminder_ms)).toBe(4 * 3600_000);
  accueil = { id: Number(row.id) };
  expect(created.headers.get('location')).toBe(`/admin/groupes/${accueil.id}`);

  const list = (await admin.call('GET', '/admin/groupes')).text;
  expect(list).toMatch(/<a href="\/admin\/groupes\/\d+">Accueil téléphonique<\/a><\/th>\s*<td>Transversal<\/td>\s*<td>0<\/td><td>0<\/td>/);
  // A service's own group: its service, its agents, its open requests.
  expect(list).toMatch(/>État civil<\/a><\/th>\s*<td>État civil <span class="tag">groupe du service<\/span><\/td>\s*<td>3<\/td>/);

  const before = await h.db('groups').count({ n: '*' }).first();
  const taken = await post('/admin/groupes', '/admin/groupes', { name: 'Accueil téléphonique', consultationDelay: '' });
  expect(taken.status).toBe(400);
  expect(taken.text).toContain('Le nom « Accueil téléphonique » est déjà pris.');
  const badDelay = await post('/admin/groupes', '/admin/groupes', { name: 'Autre', consultationDelay: 'bientôt' });
  expect(badDelay.status).toBe(400);
  expect(badDelay.text).toContain('Délai de relance des demandes d\'avis : durée invalide « bientôt »');
  const badService = await post('/admin/groupes', '/admin/groupes', { name: 'Autre', service: '999' });
  expect(badService.status).toBe(400);
  expect(badService.text).toContain('Service inconnu.');
  expect(await h.db('groups').count({ n: '*' }).first()).toEqual(before);

  const page = `/admin/groupes/${accueil.id}`;
  expect((await post(page, `${page}/nom`, { name: 'Accueil' })).status).toBe(303);
  expect((await post(page, `${page}/delai`, { consultationDelay: '2 j' })).status).toBe(303);
  expect(await h.db('groups').where({ id: accueil.id }).first('name', 'consultation_reminder_ms')).toEqual({ name: 'Accueil', consultation_reminder_ms: expect.anything() });
  expect(Number((await groupRow('Accueil')).consultation_reminder_ms)).toBe(2 * 86_400_000);
  const renameTaken = await post(page, `${page}/nom`, { name: 'Urbanisme' });
  expect(renameTaken.status).toBe(400);
  expect(renameTaken.text).toContain('Le nom « Urbanisme » est déjà pris.');
  expect((await post(page, `${page}/delai`, { consultationDelay: '0 s' })).status).toBe(400);
  expect(await groupRow('Accueil')).toMatchObject({ id: accueil.id });

  // An agent (not an administrator) gets a 403 and nothing is created.
  const agent = webClient(h.baseUrl, '10.91.1.2');
  await agent.login('amartin');
  expect((await agent.call('POST', '/admin/groupes', { name: 'Pirate', _csrf: await agent.csrf('/') })).status).toBe(403);
  expect(await groupRow('Pirate')).toBeUndefined();
  expect((await agent.call('GET', `/admin/groupes/${accueil.id}`)).status).toBe(403);
});

test('members join with a role, change role, leave; a service\'s own group keeps the service\'s agents but takes roles', async () => {
  const page = `/admin/groupes/${accueil.id}`;
  expect((await post(page, `${page}/membres`, { agent: 'cpetit', role: 'DISPATCHER' })).status).toBe(303);
  expect((await post(page, `${page}/membres`, { agent: 'bdurand', role: 'AGENT' })).status).toBe(303);
  expect((await post(page, `${page}/membres`, { agent: 'dleroy', role: 'AGENT' })).status).toBe(303);
  expect((await post(page, `${page}/membres`, { agent: 'bdurand', role: 'SUPERVISOR' })).status).toBe(303);
  expect(await membersOf(accueil.id)).toEqual({ cpetit: 'DISPATCHER', bdurand: 'SUPERVISOR', dleroy: 'AGENT' });
  const shown = await admin.call('GET', page);
  expect(shown.text).toContain('Bruno Durand est désormais « Superviseur » dans ce groupe.');
  expect(shown.text).toMatch(/<option value="DISPATCHER" selected>Répartiteur<\/option>/);

  const badRole = await post(page, `${page}/membres`, { agent: 'dleroy', role: 'CHEF' });
  expect(badRole.status).toBe(400);
  expect(badRole.text).toContain('« CHEF » n\'est pas un rôle');
  const unknown = await post(page, `${page}/membres`, { agent: 'personne', role: 'AGENT' });
  expect(unknown.status).toBe(400);
  expect(unknown.text).toContain('Agent inconnu.');
  expect((await post(page, `${page}/membres/dleroy/retirer`)).status).toBe(303);
  const notMember = await post(page, `${page}/membres/dleroy/retirer`);
  expect(notMember.status).toBe(400);
  expect(notMember.text).toContain('David Leroy ne fait pas partie du groupe « Accueil ».');
  expect(await membersOf(accueil.id)).toEqual({ cpetit: 'DISPATCHER', bdurand: 'SUPERVISOR' });

  // État civil's own group: amartin stays a member (she is of the service), her role changes.
  const etatCivil = await groupRow('État civil');
  const own = `/admin/groupes/${etatCivil.id}`;
  const removed = await post(own, `${own}/membres/amartin/retirer`);
  expect(removed.status).toBe(400);
  expect(removed.text).toContain('Les membres du groupe « État civil » sont les agents de son service');
  const added = await post(own, `${own}/membres`, { agent: 'dleroy', role: 'AGENT' });
  expect(added.status).toBe(400);
  expect((await post(own, `${own}/membres`, { agent: 'amartin', role: 'DISPATCHER' })).status).toBe(303);
  expect((await membersOf(etatCivil.id)).amartin).toBe('DISPATCHER');
  expect((await membersOf(etatCivil.id)).dleroy).toBeUndefined();
  expect((await admin.call('GET', own)).text).not.toContain('/retirer');
});

test('the form type\'s group: its new requests land in that queue; only its members see them and act on them', async () => {
  const formPage = '/admin/demarches/acte-naissance';
  const before = await submitRequest(h, { formType: 'acte-naissance' });
  expect((await admin.call('GET', formPage)).text).toMatch(/<option value="\d+" selected>État civil<\/option>/);
  expect((await post(formPage, `${formPage}/groupe`, { group: 'x' })).status).toBe(400);
  expect((await post(formPage, `${formPage}/groupe`, { group: String(accueil.id) })).status).toBe(303);
  expect(Number((await h.db('form_types').where({ slug: 'acte-naissance' }).first('group_id')).group_id)).toBe(accueil.id);
  expect((await admin.call('GET', formPage)).text).toMatch(new RegExp(`<option value="${accueil.id}" selected>Accueil</option>`));

  const filed = await submitRequest(h, { formType: 'acte-naissance' });
  expect(Number((await requestRow(h, filed.reference)).group_id)).toBe(accueil.id);
  // The request filed before stays in its queue.
  expect(Number((await requestRow(h, before.reference)).group_id)).toBe(Number((await groupRow('État civil')).id));

  // amartin (État civil, not of Accueil): not in her lists, 403 on acting.
  const amartin = webClient(h.baseUrl, '10.91.1.3');
  await amartin.login('amartin');
  for (const list of ['/demandes/non-traitees', '/demandes/du-service', '/demandes/du-groupe', `/recherche?reference=${filed.reference}`]) {
    expect((await amartin.call('GET', list)).text).not.toContain(`href="/demandes/${filed.reference}`);
  }
  expect((await h.api('POST', `/api/requests/${filed.reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(403);
  expect((await requestRow(h, filed.reference)).status).toBe('NON_TRAITEE');

  // cpetit (Urbanisme, member of Accueil) sees it in the group's queue and takes it.
  const cpetit = webClient(h.baseUrl, '10.91.1.4');
  await cpetit.login('cpetit');
  expect((await cpetit.call('GET', '/demandes/du-groupe')).text).toContain(`href="/demandes/${filed.reference}`);
  expect((await h.api('POST', `/api/requests/${filed.reference}/take`, h.tokens.cpetit, { notifyCitizen: false })).status).toBe(200);
});

test('a group is deleted only when empty: refused with a French message while requests or form types file into it', async () => {
  const page = `/admin/groupes/${accueil.id}`;
  const refused = await post(page, `${page}/supprimer`);
  expect(refused.status).toBe(400);
  expect(refused.text).toMatch(/Le groupe « Accueil » ne peut pas être supprimé : \d+ demandes? y (est|sont) rattachées?\./);
  expect(await groupRow('Accueil')).toBeDefined();
  const own = (await groupRow('Voirie et propreté')).id;
  const service = await post(`/admin/groupes/${own}`, `/admin/groupes/${own}/supprimer`);
  expect(service.status).toBe(400);
  expect(service.text).toContain('« Voirie et propreté » est le groupe d\'un service : il ne peut pas être supprimé.');

  await post('/admin/groupes', '/admin/groupes', { name: 'Éphémère', consultationDelay: '1 j' });
  const ephemere = await groupRow('Éphémère');
  await post(`/admin/groupes/${ephemere.id}`, `/admin/groupes/${ephemere.id}/membres`, { agent: 'dleroy', role: 'AGENT' });
  await post('/admin/demarches/signalement-voirie', '/admin/demarches/signalement-voirie/groupe', { group: String(ephemere.id) });
  const withFormType = await post(`/admin/groupes/${ephemere.id}`, `/admin/groupes/${ephemere.id}/supprimer`);
  expect(withFormType.status).toBe(400);
  expect(withFormType.text).toContain('Le groupe « Éphémère » ne peut pas être supprimé : 1 démarche y dépose ses demandes.');
  await post('/admin/demarches/signalement-voirie', '/admin/demarches/signalement-voirie/groupe', { group: String(own) });
  const deleted = await post(`/admin/groupes/${ephemere.id}`, `/admin/groupes/${ephemere.id}/supprimer`);
  expect(deleted.status).toBe(303);
  expect(await groupRow('Éphémère')).toBeUndefined();
  expect(await h.db('agent_groups').where({ group_id: ephemere.id })).toEqual([]);
});

test('the three views: the group\'s queue with its counts and filters, my requests, those I closed (searched by reference)', async () => {
  const mine = await submitRequest(h, { formType: 'acte-naissance' });
  const waiting = await submitRequest(h, { formType: 'acte-naissance' });
  const closed = await submitRequest(h, { formType: 'acte-naissance' });
  const closedByOther = await submitRequest(h, { formType: 'acte-naissance' });
  await moveTo(h, mine.reference, 'EN_ATTENTE', { agent: 'bdurand' });
  await moveTo(h, closed.reference, 'CLOTUREE', { agent: 'bdurand' });
  await moveTo(h, closedByOther.reference, 'CLOTUREE', { agent: 'cpetit' });
  const open = await h.db('requests').where({ group_id: accueil.id }).whereNot('status', 'CLOTUREE');
  const unassigned = open.filter((r: { assignee_id: number | null }) => r.assignee_id === null).length;

  const bdurand = webClient(h.baseUrl, '10.91.1.5');
  await bdurand.login('bdurand');
  // A contact-centre agent: the group's queue leads the nav, in place of the service's.
  const home = (await bdurand.call('GET', '/')).text;
  expect(home).toMatch(/href="\/demandes\/du-groupe">\s*Dossiers du groupe/);
  expect(home).not.toMatch(/href="\/demandes\/du-service"/);
  expect(home).toMatch(/href="\/demandes\/mes-dossiers">\s*Mes dossiers <span class="count">1<\/span>/);
  expect(home).toMatch(/href="\/demandes\/traites-par-moi">\s*Traités par moi\s*<\/a>/);
  // Their home leads with what waits in their queues for someone.
  const waitingInQueues = await h.db('requests').whereIn('group_id', h.db('agent_groups').where({ agent_id: (await h.db('agents').where({ code: 'bdurand' }).first('id')).id }).select('group_id')).whereNot('status', 'CLOTUREE').whereNull('assignee_id').count({ n: '*' }).first();
  expect(home).toContain(`<a href="/demandes/du-groupe?affectation=non-assignes"><span class="counter-value">${Number(waitingInQueues?.n)}</span> <span class="counter-label">Non assignés dans mes groupes</span>`);

  const queue = (await bdurand.call('GET', '/demandes/du-groupe')).text;
  expect(queue).toMatch(new RegExp(`<th scope="row">Accueil</th>\\s*<td><a href="/demandes/du-groupe\\?groupe=${accueil.id}&affectation=non-assignes"[^>]*>${unassigned}</a></td>\\s*<td><a [^>]*>${open.length - unassigned}</a>`));
  // Several queues: a filter by group; the group column in the list.
  expect(queue).toMatch(new RegExp(`<option value="${accueil.id}">Accueil</option>`));
  expect(queue).toContain('<th scope="col" aria-sort="none"><a href="/demandes/du-groupe?tri=group&ordre=asc" class="sort">Groupe</a></th>');
  const onlyAccueil = (await bdurand.call('GET', `/demandes/du-groupe?groupe=${accueil.id}`)).text;
  expect(onlyAccueil).toContain(`${open.length} demande`);
  expect(onlyAccueil).toContain(mine.reference);
  expect(onlyAccueil).toContain(waiting.reference);
  const notAssigned = (await bdurand.call('GET', `/demandes/du-groupe?groupe=${accueil.id}&affectation=non-assignes`)).text;
  expect(notAssigned).toContain(waiting.reference);
  expect(notAssigned).not.toContain(mine.reference);
  const assigned = (await bdurand.call('GET', `/demandes/du-groupe?groupe=${accueil.id}&affectation=assignes`)).text;
  expect(assigned).toContain(mine.reference);
  expect(assigned).not.toContain(waiting.reference);
  expect((await bdurand.call('GET', '/demandes/du-groupe?affectation=peut-etre')).text).toContain('« peut-etre » n\'est pas une affectation');

  const mineList = (await bdurand.call('GET', '/demandes/mes-dossiers')).text;
  expect(mineList).toMatch(/<p class="list-count" role="status">1 demande<\/p>/);
  expect(mineList).toContain(mine.reference);
  expect(mineList).not.toContain(waiting.reference);

  const done = (await bdurand.call('GET', '/demandes/traites-par-moi')).text;
  expect(done).toContain(closed.reference);
  expect(done).not.toContain(closedByOther.reference);
  expect(done).not.toContain(mine.reference);
  expect(done).not.toContain('bulk-form');
  expect((await bdurand.call('GET', `/demandes/traites-par-moi?reference=${closed.reference}`)).text).toMatch(/1 demande</);
  const elsewhere = (await bdurand.call('GET', `/demandes/traites-par-moi?reference=${closedByOther.reference}`)).text;
  expect(elsewhere).toMatch(/0 demande</);
  expect((await h.db('events').where({ request_id: closed.id, type: 'CLOSED' }).first('agent_id')).agent_id).toBe((await h.db('agents').where({ code: 'bdurand' }).first('id')).id);

  // An agent of the services only: their nav as before.
  const amartin = webClient(h.baseUrl, '10.91.1.6');
  await amartin.login('amartin');
  const hers = (await amartin.call('GET', '/')).text;
  expect(hers).toMatch(/href="\/demandes\/du-service"/);
  expect(hers).not.toMatch(/href="\/demandes\/du-groupe"/);
});

describe('npx guichet group', () => {
  const guichet = (...args: string[]) => runGuichet(h.env, ...args);

  test('create, list, rename, members and roles, form type, delete; refusals in French, exit code 2, nothing changed', async () => {
    expect(await guichet('group', 'create', 'Urbanisme – experts', '--service', 'urbanisme', '--consultation-delay', '4h')).toMatchObject({ code: 0, stdout: 'groupe « Urbanisme – experts » créé\n' });
    const experts = await groupRow('Urbanisme – experts');
    expect(Number(experts.consultation_reminder_ms)).toBe(4 * 3600_000);
    expect(Number(experts.service_id)).toBe(Number((await h.db('services').where({ slug: 'urbanisme' }).first('id')).id));
    expect((await guichet('group', 'rename', 'Urbanisme – experts', 'Experts urbanisme')).code).toBe(0);
    expect((await guichet('group', 'add-member', 'Experts urbanisme', 'cpetit', '--role', 'supervisor')).stdout).toContain('cpetit : membre du groupe « Experts urbanisme », rôle « Superviseur »');
    expect((await guichet('group', 'form-type', 'certificat-urbanisme', 'Experts urbanisme')).code).toBe(0);
    expect(Number((await h.db('form_types').where({ slug: 'certificat-urbanisme' }).first('group_id')).group_id)).toBe(experts.id);
    const list = await guichet('group', 'list');
    expect(list.stdout).toContain('Experts urbanisme\turbanisme\t1 membre\t0 demande ouverte\t4 h');
    expect(list.stdout).toMatch(/Accueil\ttransversal\t2 membres\t\d+ demandes? ouvertes?\t2 j/);

    const refusals: [string[], RegExp][] = [
      [['group', 'create', 'Experts urbanisme'], /Le nom « Experts urbanisme » est déjà pris/],
      [['group', 'create', 'Nouveau', '--consultation-delay', 'demain'], /durée invalide « demain »/],
      [['group', 'add-member', 'Experts urbanisme', 'bdurand', '--role', 'chef'], /« chef » n'est pas un rôle/],
      [['group', 'add-member', 'Personne', 'bdurand'], /Groupe inconnu : Personne/],
      [['group', 'remove-member', 'Experts urbanisme', 'bdurand'], /Bruno Durand ne fait pas partie du groupe/],
      [['group', 'remove-member', 'Voirie et propreté', 'dleroy'], /sont les agents de son service/],
      [['group', 'delete', 'Experts urbanisme'], /1 démarche y dépose ses demandes/],
    ];
    const groupsBefore = await h.db('groups').orderBy('id');
    const membersBefore = await h.db('agent_groups').orderBy(['group_id', 'agent_id']);
    // Side by side: none changes anything.
    const results = await Promise.all(refusals.map(([args]) => guichet(...args)));
    refusals.forEach(([args, message], i) => {
      expect({ args, code: results[i].code }).toEqual({ args, code: 2 });
      expect(results[i].stderr).toMatch(message);
    });
    expect(await h.db('groups').orderBy('id')).toEqual(groupsBefore);
    expect(await h.db('agent_groups').orderBy(['group_id', 'agent_id'])).toEqual(membersBefore);

    expect((await guichet('group', 'remove-member', 'Experts urbanisme', 'cpetit')).code).toBe(0);
    expect(await membersOf(experts.id)).toEqual({});
    expect((await guichet('group', 'form-type', 'certificat-urbanisme', 'Urbanisme')).code).toBe(0);
    expect(await guichet('group', 'delete', 'Experts urbanisme')).toMatchObject({ code: 0, stdout: 'groupe « Experts urbanisme » supprimé\n' });
    expect(await groupRow('Experts urbanisme')).toBeUndefined();
  }, 600_000);
});
