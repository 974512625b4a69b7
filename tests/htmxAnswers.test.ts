// What htmx gets back: the part of the page it swaps, never a whole page to filter; and
// the panel after an action, as the action left the request.
import { startHarness, type Harness } from './support/harness';
import { webClient } from './support/webClient';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HTMX = { 'HX-Request': 'true' };

async function submitRequest(lastName: string): Promise<string> {
  const res = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance', citizen: { firstName: 'Hector', lastName, email: 'hector@example.org' }, answers: {},
  });
  expect(res.status).toBe(201);
  return res.body.reference;
}

async function agent(code: string) {
  const client = webClient(h.baseUrl, '10.7.7.7');
  expect((await client.login(code)).status).toBe(303);
  return client;
}

const isWholePage = (text: string) => text.includes('<html') && text.includes('id="rubriques"');

describe('a list answers htmx with the part it swaps', () => {
  let ref: string;
  beforeAll(async () => {
    ref = await submitRequest('Listé');
  });

  test.each([
    ['a view', '/demandes/non-traitees?tri=date&ordre=desc', 'list-region'],
    ['the search results', `/recherche?reference=${'REF'}`, 'search-results'],
    ['the list in the search results', `/recherche?reference=${'REF'}&tri=date`, 'list-region'],
    ['the journal', '/journal?tri=date', 'list-region'],
  ])('%s: the region alone to htmx, the page otherwise', async (_what, url, target) => {
    const amartin = await agent('amartin');
    const path = url.replace('REF', ref);
    const part = await amartin.call('GET', path, undefined, { ...HTMX, 'HX-Target': target });
    expect(part.status).toBe(200);
    expect(part.headers.get('vary')).toMatch(/HX-Request/i);
    expect(isWholePage(part.text)).toBe(false);
    expect(part.text.trimStart()).toMatch(new RegExp(`^<div id="${target}"`));
    if (!path.startsWith('/journal')) {
      expect(part.text).toContain(ref);
    }

    const page = await amartin.call('GET', path);
    expect(page.status).toBe(200);
    expect(isWholePage(page.text)).toBe(true);
    expect(page.text).toContain(`id="${target}"`);
  });

  test('htmx restoring its history gets the whole page', async () => {
    const amartin = await agent('amartin');
    const restore = await amartin.call('GET', '/demandes/non-traitees?page=1', undefined, { ...HTMX, 'HX-History-Restore-Request': 'true' });
    expect(isWholePage(restore.text)).toBe(true);
  });
});

describe('the panel after an action shows the request as the action left it', () => {
  const post = async (client: Awaited<ReturnType<typeof agent>>, ref: string, action: string, form: Record<string, string>) =>
    client.call('POST', `/demandes/${ref}/${action}`, { _csrf: await client.csrf(`/demandes/${ref}`), ...form }, HTMX);

  test('take, reassign, close, then a refusal', async () => {
    const ref = await submitRequest('Panneau');
    const amartin = await agent('amartin');

    const taken = await post(amartin, ref, 'take', { courriel: 'ne-pas-envoyer' });
    expect(taken.status).toBe(200);
    expect(taken.headers.get('hx-trigger')).toBe('requestUpdated');
    expect(isWholePage(taken.text)).toBe(false);
    expect(taken.text).toContain('Demande prise en compte.');
    expect(taken.text).toMatch(/status-EN_COURS" id="request-status">En cours de traitement</);
    expect(taken.text).toMatch(/id="request-assignee">Anne Martin</);
    // What the new status allows: no more taking, a hold now.
    expect(taken.text).not.toContain(`/demandes/${ref}/take"`);
    expect(taken.text).toContain(`/demandes/${ref}/hold"`);

    const reassigned = await post(amartin, ref, 'reassign', { agent: 'bdurand' });
    expect(reassigned.status).toBe(200);
    expect(reassigned.text).toMatch(/id="request-assignee">Bruno Durand</);

    const closed = await post(amartin, ref, 'close', { closingCode: 'TRAITEE', courriel: 'ne-pas-envoyer' });
    expect(closed.status).toBe(200);
    expect(closed.text).toMatch(/status-CLOTUREE" id="request-status">Clôturée<\/span> — \S/);
    expect(closed.text).not.toContain(`/demandes/${ref}/close"`);

    // Refused: the alert, over the request as it stands.
    const again = await post(amartin, ref, 'take', { courriel: 'ne-pas-envoyer' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('déjà clôturée');
    expect(again.text).toMatch(/status-CLOTUREE" id="request-status"/);
  });

  test('a message: the panel shows it in the thread', async () => {
    const ref = await submitRequest('Message');
    const amartin = await agent('amartin');
    expect((await post(amartin, ref, 'take', { courriel: 'ne-pas-envoyer' })).status).toBe(200);
    const written = await post(amartin, ref, 'message', { kind: 'internal', body: 'Note interne du panneau' });
    expect(written.status).toBe(200);
    expect(written.text).toContain('Note interne du panneau');
    expect(written.text).toMatch(/status-EN_COURS" id="request-status"/);
  });
});
