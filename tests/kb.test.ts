// The knowledge base (issue 14): search ranked by relevance, accents and case ignored, a
// title match above a body match; every save a version; Markdown rendered harmless; public
// articles on the citizens' form page, internal ones never; only who has the right writes;
// the panel beside a request and its search.
import { saveArticle } from '../src/commands/kb/saveArticle';
import { CommandError } from '../src/commands/errors';
import { findArticle, versionsOf } from '../src/db/kbArticles';
import { searchArticleIds } from '../src/db/kbSearch';
import { agentByCode } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { filedAt } from './support/rawRows';
import { webClient } from './support/webClient';

let h: Harness;
let etatCivil: number;
let urbanisme: number;
let acteNaissance: number;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  etatCivil = Number((await h.db('services').where({ slug: 'etat-civil' }).first('id')).id);
  urbanisme = Number((await h.db('services').where({ slug: 'urbanisme' }).first('id')).id);
  acteNaissance = Number((await h.db('form_types').where({ slug: 'acte-naissance' }).first('id')).id);
});
afterAll(async () => {
  await h?.close();
});

/** An article written by the demo administrator, straight through the command. */
async function written(fields: { title: string; body: string; tags?: string; service?: number | ''; formTypes?: number[]; isPublic?: boolean }) {
  const admin = await agentByCode(h, 'admin');
  const input = { title: fields.title, body: fields.body, tags: fields.tags ?? '', service: fields.service ?? '', formTypes: (fields.formTypes ?? []).map(String), isPublic: fields.isPublic ?? false };
  return saveArticle(h.ctx, admin, { id: null, input });
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

describe('search', () => {
  test('a title match ranks above a body match, accents and case ignored, a word\'s start enough', async () => {
    // Written body first, then title: the ranking is not the order of writing.
    const inBody = await written({ title: 'Pièces à fournir pour un mariage', body: 'Pour la RECONNAISSANCE anticipée, voir la mairie.' });
    const inTitle = await written({ title: 'Reconnaissance anticipée d\'un enfant', body: 'Se présenter avec une pièce d\'identité.' });
    await written({ title: 'Permis de construire', body: 'Dossier à déposer en mairie.' });

    for (const q of ['reconnaissance', 'RÉCONNAISSANCE', 'Reconnaissançe', 'anticipee', 'reconn']) {
      expect(await searchArticleIds(h.db, q, 10)).toEqual([inTitle.id, inBody.id]);
    }
    // Every word must be there (in the title or the body).
    expect(await searchArticleIds(h.db, 'reconnaissance mariage', 10)).toEqual([inBody.id]);
    expect(await searchArticleIds(h.db, 'introuvable', 10)).toEqual([]);
    // The query's syntax is not the engine's: quotes, operators and stars are only characters.
    expect(await searchArticleIds(h.db, '"reconnaissance*" -(+anticipée) OR', 10)).toEqual([inTitle.id, inBody.id]);
    expect(await searchArticleIds(h.db, '"*()+-', 10)).toEqual([]);

    // The list page ranks the same way.
    const agent = webClient(h.baseUrl, '10.90.0.1');
    await agent.login('amartin');
    const page = (await agent.call('GET', `/base-de-connaissances?q=${encodeURIComponent('Reconnaissance')}`)).text;
    expect(page.indexOf('Reconnaissance anticipée')).toBeGreaterThan(0);
    expect(page.indexOf('Reconnaissance anticipée')).toBeLessThan(page.indexOf('Pièces à fournir pour un mariage'));
    expect(page).not.toContain('Permis de construire');
  });

  test('a tag is found like a word of the body', async () => {
    const tagged = await written({ title: 'Horaires du guichet', body: 'Du lundi au vendredi.', tags: 'Accueil, Téléphone' });
    expect(await searchArticleIds(h.db, 'telephone', 10)).toEqual([tagged.id]);
    // A tag's own list, even one whose characters mean something in an address.
    const odd = await written({ title: 'Tarifs', body: 'Voir la grille.', tags: 'prix & tarifs #2026' });
    const agent = webClient(h.baseUrl, '10.90.0.11');
    await agent.login('amartin');
    const list = (await agent.call('GET', '/base-de-connaissances')).body.toString('utf8');
    expect(list).toContain('href="/base-de-connaissances?etiquette&#x3D;prix%20%26%20tarifs%20%232026"');
    const ofTag = (await agent.call('GET', '/base-de-connaissances?etiquette=prix%20%26%20tarifs%20%232026')).text;
    expect(ofTag).toContain('Tarifs');
    expect(ofTag).not.toContain('Horaires du guichet');
    expect(odd.version).toBe(1);
  });
});

describe('versions', () => {
  test('every save keeps a version: who, when, what changed; the page shows the change and the old text', async () => {
    const editor = await agentByCode(h, 'bdurand');
    await h.db('agents').where({ id: editor.id }).update({ kb_editor: true });
    const writer = await agentByCode(h, 'bdurand');
    const base = { title: 'Acte de décès', body: 'Ligne une.\nLigne deux.', tags: 'décès', service: String(etatCivil), formTypes: [], isPublic: false };
    const first = await saveArticle(h.ctx, writer, { id: null, input: base });
    const second = await saveArticle(h.ctx, await agentByCode(h, 'admin'), { id: first.id, input: { ...base, body: 'Ligne une.\nLigne deux corrigée.', note: 'Correction de la ligne deux' } });
    expect(second).toEqual({ id: first.id, version: 2 });

    const versions = await versionsOf(h.db, first.id);
    expect(versions.map((v) => [v.version, v.agentName, v.note])).toEqual([[2, 'Claire Admin', 'Correction de la ligne deux'], [1, 'Bruno Durand', '']]);
    expect(versions[1].body).toBe('Ligne une.\nLigne deux.');
    expect(versions[0].createdAt).toBeGreaterThanOrEqual(versions[1].createdAt);
    expect((await findArticle(h.db, first.id))!.version).toBe(2);

    const agent = webClient(h.baseUrl, '10.90.0.2');
    await agent.login('amartin');
    const page = (await agent.call('GET', `/base-de-connaissances/${first.id}/versions`)).text;
    expect(page).toContain('Version 2');
    expect(page).toContain('Claire Admin');
    expect(page).toContain('Correction de la ligne deux');
    expect(page).toMatch(/Changements :<\/strong> Texte/);
    expect(page).toContain('<span class="kb-diff-removed">− Ligne deux.</span>');
    expect(page).toContain('<span class="kb-diff-added">+ Ligne deux corrigée.</span>');
    expect(page).toContain('création de l\'article');
  });
});

describe('Markdown', () => {
  test('an unsafe body renders harmless: no script, no javascript: link, no event attribute', async () => {
    const body = [
      '# Titre', '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '[cliquez](javascript:alert(3))', '[encore](JAVASCRIPT:alert(4))',
      '[données](data:text/html;base64,PHNjcmlwdD4=)', '![image](x" onerror="alert(5))', '<a href="javascript:alert(6)">a</a>', '[bon lien](https://www.service-public.fr)', '**gras**',
    ].join('\n\n');
    const { id } = await written({ title: 'Article piégé', body, isPublic: true, formTypes: [acteNaissance] });
    const agent = webClient(h.baseUrl, '10.90.0.3');
    await agent.login('amartin');
    const citizen = webClient(h.baseUrl, '10.90.0.4');
    await h.db('form_types').where({ id: acteNaissance }).update({ published: true });
    for (const html of [(await agent.call('GET', `/base-de-connaissances/${id}`)).body.toString('utf8'), (await citizen.call('GET', `/aide/${id}`)).body.toString('utf8'), (await citizen.call('GET', '/formulaires/acte-naissance')).body.toString('utf8')]) {
      const article = html.slice(html.indexOf('<h1>Titre</h1>'));
      expect(article).toContain('<h1>Titre</h1>');
      expect(article).not.toMatch(/<script(?![^>]*src="\/static)/i);
      expect(article).not.toMatch(/<img/i);
      expect(article).not.toMatch(/href="\s*(javascript|data):/i);
      expect(article).not.toMatch(/<[^>]+\son\w+=/i);
      expect(article).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(article).toContain('<a href="https://www.service-public.fr" rel="noopener noreferrer nofollow" target="_blank">bon lien</a>');
      expect(article).toContain('<strong>gras</strong>');
    }
  });
});

describe('public articles', () => {
  test('a public article is help on its form\'s page and has a public page; an internal one neither', async () => {
    await h.db('form_types').where({ id: acteNaissance }).update({ published: true });
    const pub = await written({ title: 'Comment obtenir un acte de naissance', body: 'Indiquez la **commune de naissance**.', isPublic: true, formTypes: [acteNaissance] });
    const internal = await written({ title: 'Consigne interne : vérifier le registre', body: 'Ne pas dire aux usagers.', formTypes: [acteNaissance] });
    const citizen = webClient(h.baseUrl, '10.90.0.5');
    const form = (await citizen.call('GET', '/formulaires/acte-naissance')).text;
    expect(form).toContain('Aide pour cette démarche');
    expect(form).toContain('Comment obtenir un acte de naissance');
    expect(form).toContain('<strong>commune de naissance</strong>');
    expect(form).not.toContain('Consigne interne');
    expect(form).not.toContain('Ne pas dire aux usagers');

    expect((await citizen.call('GET', `/aide/${pub.id}`)).status).toBe(200);
    const hidden = await citizen.call('GET', `/aide/${internal.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('Ne pas dire aux usagers');
    expect((await citizen.call('GET', '/aide/abc')).status).toBe(404);
    // The agents' pages stay behind the login.
    expect((await citizen.call('GET', `/base-de-connaissances/${internal.id}`)).status).toBe(303);
  });
});

describe('who writes', () => {
  test('an agent without the right cannot write: the form is refused and nothing is saved', async () => {
    const agent = webClient(h.baseUrl, '10.90.0.6');
    await agent.login('cpetit');
    const before = Number((await h.db('kb_articles').count({ n: '*' }).first())!.n);
    const list = (await agent.call('GET', '/base-de-connaissances')).text;
    expect(list).not.toContain('Nouvel article');
    expect((await agent.call('GET', '/base-de-connaissances/nouveau')).status).toBe(403);
    const csrf = csrfOf(list);
    const refused = await agent.call('POST', '/base-de-connaissances', { _csrf: csrf, title: 'Pirate', body: 'Texte', service: '' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('rédacteur');
    const { id } = await written({ title: 'Existant', body: 'Texte' });
    expect((await agent.call('POST', `/base-de-connaissances/${id}`, { _csrf: csrf, title: 'Modifié', body: 'Autre' })).status).toBe(403);
    expect((await agent.call('GET', `/base-de-connaissances/${id}/modifier`)).status).toBe(403);
    expect(Number((await h.db('kb_articles').count({ n: '*' }).first())!.n)).toBe(before + 1);
    expect((await findArticle(h.db, id))!.title).toBe('Existant');
    await expect(saveArticle(h.ctx, await agentByCode(h, 'cpetit'), { id: null, input: { title: 'X', body: 'Y' } })).rejects.toMatchObject({ status: 403, code: 'KB_NOT_EDITOR' });
  });

  test('the administrator gives the « rédacteur » right: the agent writes for their service and for all, not for another', async () => {
    const admin = webClient(h.baseUrl, '10.90.0.7');
    await admin.login('admin');
    const role = await admin.call('POST', '/role', { _csrf: await admin.csrf('/role'), role: 'admin' });
    expect(role.status).toBe(303);
    const amartin = await agentByCode(h, 'amartin');
    const page = (await admin.call('GET', `/admin/agents/${amartin.id}`)).text;
    expect(page).toContain('Rédacteur');
    expect((await admin.call('POST', `/admin/agents/${amartin.id}/redacteur`, { _csrf: csrfOf(page), redacteur: 'oui' })).status).toBe(303);
    expect((await admin.call('GET', `/admin/agents/${amartin.id}`)).text).toContain('Droit de rédacteur donné.');

    const agent = webClient(h.baseUrl, '10.90.0.8');
    await agent.login('amartin');
    const form = (await agent.call('GET', '/base-de-connaissances/nouveau')).text;
    expect(form).toContain('Tous les services');
    expect(form).not.toContain('>Urbanisme</option>');
    const created = await agent.call('POST', '/base-de-connaissances', {
      _csrf: csrfOf(form), title: 'Livret de famille', body: 'Demande en mairie.', tags: 'famille, Livret', service: String(etatCivil), formTypes: String(acteNaissance), note: '',
    });
    expect(created.status).toBe(303);
    const id = Number(/\/base-de-connaissances\/(\d+)$/.exec(created.headers.get('location')!)![1]);
    expect(await findArticle(h.db, id)).toMatchObject({ title: 'Livret de famille', tags: ['famille', 'livret'], serviceId: etatCivil, formTypeIds: [acteNaissance], isPublic: false, version: 1 });

    // Another service's article: refused, the form shown again as typed, nothing saved.
    const other = await agent.call('POST', '/base-de-connaissances', { _csrf: csrfOf(form), title: 'Urbanisme interne', body: 'x', service: String(urbanisme) });
    expect(other.status).toBe(403);
    expect(other.text).toContain('Urbanisme interne');
    expect(await h.db('kb_articles').where({ title: 'Urbanisme interne' }).first()).toBeUndefined();
    // An invalid field: 400, said beside the form, nothing saved.
    const empty = await agent.call('POST', '/base-de-connaissances', { _csrf: csrfOf(form), title: '  ', body: 'x', service: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Donnez un titre à l\'article.');
    const forged = await agent.call('POST', '/base-de-connaissances', { _csrf: csrfOf(form), title: 'Forgé', body: 'x', service: '', formTypes: '999999' });
    expect(forged.status).toBe(400);
    expect(await h.db('kb_articles').where({ title: 'Forgé' }).first()).toBeUndefined();
    await expect(saveArticle(h.ctx, await agentByCode(h, 'amartin'), { id: null, input: { title: 'x', body: 'y', service: String(urbanisme) } })).rejects.toBeInstanceOf(CommandError);
  });
});

describe('beside a request', () => {
  test('the panel lists its form type\'s articles, and its search answers with insertable articles', async () => {
    const own = await written({ title: 'Délai de délivrance des actes', body: 'Sous huit jours.', formTypes: [acteNaissance] });
    await written({ title: 'Stationnement résidentiel', body: 'Carte à demander au service voirie.' });
    const r = await filedAt(h, { formType: 'acte-naissance', citizen: { firstName: 'Léa', lastName: 'Panneau', email: 'lea@example.org' }, at: Date.now() - 60_000 });
    const agent = webClient(h.baseUrl, '10.90.0.9');
    await agent.login('amartin');
    const page = (await agent.call('GET', `/demandes/${r.reference}`)).text;
    const panel = page.slice(page.indexOf('id="kb-panel"'));
    expect(panel).toContain('Délai de délivrance des actes');
    expect(panel).not.toContain('Stationnement résidentiel');
    expect(panel).toContain('data-kb-insert="Sous huit jours."');
    expect(panel).toContain(`data-kb-insert="Délai de délivrance des actes : http://localhost:1/base-de-connaissances/${own.id}"`);

    const found = (await agent.call('GET', `/demandes/${r.reference}/articles?q=stationnement`, undefined, { 'HX-Request': 'true' })).text;
    expect(found).toContain('Stationnement résidentiel');
    expect(found).toContain('data-kb-insert="Carte à demander au service voirie."');
    // Another service's agent reads no request of this one, nor its panel.
    const other = webClient(h.baseUrl, '10.90.0.10');
    await other.login('dleroy');
    expect((await other.call('GET', `/demandes/${r.reference}/articles?q=stationnement`)).status).toBe(403);
  });
});
