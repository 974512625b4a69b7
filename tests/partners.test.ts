import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createScopedKey, revokePartnerKey } from '../src/partners/keys';
import { startPendingDeliveries } from '../src/partners/deliveries';
import { verifySignature } from '../src/partners/signature';
import { accessibilityViolations, administering, launchBrowser } from './support/browser';
import { runGuichet } from './support/cli';
import { startHarness, waitFor, type Harness } from './support/harness';
import { deliveryWhoseStartWasLost } from './support/rawRows';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** A partner's HTTP server: records every POST; `answer` says the status for each path (200 by default). */
async function startReceiver(answer: (path: string, count: number) => number = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { raw += chunk; });
    req.on('end', () => {
      const p = req.url ?? '/';
      received.push({ path: p, headers: req.headers, raw, body: JSON.parse(raw) });
      res.statusCode = answer(p, received.filter((r) => r.path === p).length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let h: Harness;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  // 500, 500, then 200 on /flaky; /down always fails; everything else is received at once.
  receiver = await startReceiver((p, n) => (p === '/down' || (p === '/flaky' && n <= 2) ? 500 : 200));
  [h, browser] = await Promise.all([
    startHarness({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX: '1s', WEBHOOK_GIVE_UP: '4s', WEBHOOK_TIMEOUT: '2s' } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await receiver?.close();
});

const citizen = { firstName: 'Hortense', lastName: 'Confidentielle', email: 'hortense.secrete@example.org', phone: '06 12 34 56 78' };
const file = (key: string, formType: string, answers: Record<string, unknown> = {}) =>
  h.api('POST', '/api/requests', key, { formType, citizen, answers });
const countRequests = async () => Number((await h.db('requests').count({ n: '*' }).first())!.n);

const guichet = (...args: string[]) => runGuichet(h.env, ...args);

test('a key files and reads only its form types; another form type is refused with nothing written; a revoked key is refused', async () => {
  const { id, secret } = await createScopedKey(h.db, 'Application voirie', ['signalement-voirie']);

  const listed = await h.api('GET', '/api/form-types', secret);
  expect(listed).toEqual({ status: 200, body: [{ slug: 'signalement-voirie', title: expect.any(String), service: 'voirie' }] });

  const allowed = await file(secret, 'signalement-voirie');
  expect(allowed.status).toBe(201);
  expect((await h.api('GET', `/api/requests/${allowed.body.reference}`, secret)).status).toBe(200);

  const before = await countRequests();
  const refused = await file(secret, 'acte-naissance');
  expect(refused).toEqual({
    status: 403,
    body: { error: { code: 'FORM_TYPE_NOT_ALLOWED', message: "Cette clé d'API ne permet pas de déposer des demandes de la démarche « acte-naissance ».", field: 'formType' } },
  });
  expect(await countRequests()).toBe(before);
  expect(await h.db('request_personal').where({ last_name: citizen.lastName }).count({ n: '*' }).first()).toEqual({ n: 1 });

  // A request of another form type, filed by the demo key, is "not found" for this key.
  const other = await file(h.partnerKey, 'acte-naissance');
  expect(other.status).toBe(201);
  expect((await h.api('GET', `/api/requests/${other.body.reference}`, secret)).body.error.code).toBe('NOT_FOUND');
  // The demo key keeps every demo form type.
  expect((await h.api('GET', '/api/form-types', h.partnerKey)).body).toHaveLength(6);

  expect((await revokePartnerKey(h.db, id)).revokedAt).not.toBeNull();
  for (const res of [await h.api('GET', '/api/form-types', secret), await file(secret, 'signalement-voirie'), await h.api('GET', '/api/webhooks', secret)]) {
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  }
});

test('the CLI creates a key for form types (secret printed once), lists and revokes it', async () => {
  const created = await guichet('api-key', 'create', 'Portail urbanisme', '--form-types', 'declaration-travaux,certificat-urbanisme');
  expect(created.code).toBe(0);
  const secret = created.stdout.trim();
  expect(secret).toMatch(/^gpk_[\w-]{20,}$/);
  expect((await h.api('GET', '/api/form-types', secret)).body.map((f: { slug: string }) => f.slug).sort()).toEqual(['certificat-urbanisme', 'declaration-travaux']);

  const listed = await guichet('api-key', 'list');
  const line = listed.stdout.split('\n').find((l) => l.includes('Portail urbanisme'))!;
  expect(line).toMatch(/^\d+\tPortail urbanisme\tcertificat-urbanisme,declaration-travaux\tactive$/);
  expect(listed.stdout).not.toContain(secret);
  const id = line.split('\t')[0];

  expect(await guichet('api-key', 'revoke', id)).toMatchObject({ code: 0, stdout: `clé ${id} « Portail urbanisme » révoquée\n` });
  expect((await h.api('GET', '/api/form-types', secret)).status).toBe(401);
  expect((await guichet('api-key', 'list')).stdout).toMatch(new RegExp(`^${id}\\tPortail urbanisme\\t.*\\trévoquée le \\d\\d/\\d\\d/\\d{4}$`, 'm'));

  const before = await h.db('api_tokens').count({ n: '*' }).first();
  expect(await guichet('api-key', 'create', 'X', '--form-types', 'acte-naissance,inconnue')).toMatchObject({ code: 2, stderr: expect.stringContaining('Démarche inconnue : inconnue.') });
  expect(await h.db('api_tokens').count({ n: '*' }).first()).toEqual(before);
  expect(await guichet('api-key', 'revoke', '99999')).toMatchObject({ code: 2, stderr: expect.stringContaining('Clé d\'API partenaire introuvable : 99999.') });
  expect(await guichet('api-key', 'revoke', 'abc')).toMatchObject({ code: 2, stderr: expect.stringContaining('numéro de clé invalide « abc »') });
});

test('an administrator creates a key with its form types on the admin page, sees the secret once, and revokes it after confirming', async () => {
  const { context, page } = await administering(browser, h.baseUrl);

  await page.goto('/admin/partenaires');
  await page.getByRole('heading', { name: "Partenaires et clés d'API" }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);

  // Refused without a name: nothing created, the ticked form types kept.
  await page.getByLabel('Nom du partenaire').fill('   ');
  await page.getByLabel('Demande d\'acte de mariage').check();
  await page.getByRole('button', { name: 'Créer la clé' }).click();
  await page.getByRole('alert').filter({ hasText: 'Le nom de la clé est obligatoire.' }).waitFor();
  expect(await page.getByLabel('Demande d\'acte de mariage').isChecked()).toBe(true);

  await page.getByLabel('Nom du partenaire').fill('Mairie annexe');
  await page.getByRole('button', { name: 'Créer la clé' }).click();
  await page.getByRole('heading', { name: 'Clé « Mairie annexe » créée' }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  const secret = (await page.locator('#partner-secret').textContent())!.trim();
  expect((await h.api('GET', '/api/form-types', secret)).body.map((f: { slug: string }) => f.slug)).toEqual(['acte-mariage']);
  await page.getByRole('row', { name: /Mairie annexe/ }).getByText('acte-mariage').waitFor();

  // Shown once: the list page does not show it again.
  await page.goto('/admin/partenaires');
  expect(await page.content()).not.toContain(secret);

  await page.getByRole('link', { name: 'Révoquer la clé « Mairie annexe »' }).click();
  await page.getByRole('heading', { name: 'Révoquer la clé « Mairie annexe » ?' }).waitFor();
  expect(await accessibilityViolations(page)).toEqual([]);
  expect((await h.api('GET', '/api/form-types', secret)).status).toBe(200); // not before confirming
  await page.getByRole('button', { name: 'Révoquer définitivement' }).click();
  await page.getByRole('status').filter({ hasText: 'La clé « Mairie annexe » est révoquée.' }).waitFor();
  await page.getByRole('row', { name: /Mairie annexe/ }).getByText(/Révoquée le/).waitFor();
  expect((await h.api('GET', '/api/form-types', secret)).status).toBe(401);

  // Without the CSRF token, nothing is revoked.
  const { id } = await createScopedKey(h.db, 'Sans jeton', ['acte-mariage']);
  const forged = await page.request.post(`/admin/partenaires/${id}/revoquer`, { form: {} });
  expect(forged.status()).toBe(403);
  expect((await h.db('api_tokens').where({ id }).first()).revoked_at).toBeNull();
  await context.close();
});

test('webhooks: registered with a key, signed deliveries of each status change, no personal data, only the key\'s form types', async () => {
  const { secret: voirieKey } = await createScopedKey(h.db, 'Voirie seulement', ['signalement-voirie']);
  const hook = await h.api('POST', '/api/webhooks', h.partnerKey, { url: `${receiver.url}/demo` });
  expect(hook).toEqual({ status: 201, body: { id: expect.any(Number), url: `${receiver.url}/demo`, createdAt: expect.any(String), secret: expect.stringMatching(/^whsec_/) } });
  expect((await h.api('POST', '/api/webhooks', voirieKey, { url: `${receiver.url}/voirie` })).status).toBe(201);
  expect((await h.api('GET', '/api/webhooks', h.partnerKey)).body).toEqual([{ id: hook.body.id, url: `${receiver.url}/demo`, createdAt: hook.body.createdAt }]);
  expect(await h.api('POST', '/api/webhooks', h.partnerKey, { url: 'ftp://example.org/x' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'url' } } });

  const filed = await file(h.partnerKey, 'acte-naissance', { copies: 2, motif: 'réponse-très-privée' });
  const ref = filed.body.reference;
  await waitFor(async () => (await h.db('requests').where({ reference: ref }).first())?.version, 20000, 'the workflow');
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  expect((await h.api('POST', `/api/requests/${ref}/annotate`, h.tokens.amartin, { eventType: 'NOTE', comment: 'commentaire privé' })).status).toBe(200);
  expect((await h.api('POST', `/api/requests/${ref}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false })).status).toBe(200);

  const mine = () => receiver.received.filter((r) => r.path === '/demo' && r.body.reference === ref);
  await waitFor(() => mine().length >= 3, 20000, 'three deliveries');
  const deliveries = mine().sort((a, b) => a.body.seq - b.body.seq);
  expect(deliveries.map((d) => d.body.event)).toEqual(['SUBMITTED', 'TAKEN', 'CLOSED']);
  expect(deliveries.map((d) => d.body)).toEqual([
    { id: expect.any(Number), event: 'SUBMITTED', reference: ref, formType: 'acte-naissance', status: 'NON_TRAITEE', seq: 1, at: expect.any(String) },
    { id: expect.any(Number), event: 'TAKEN', reference: ref, formType: 'acte-naissance', status: 'EN_COURS', previousStatus: 'NON_TRAITEE', seq: 2, at: expect.any(String) },
    { id: expect.any(Number), event: 'CLOSED', reference: ref, formType: 'acte-naissance', status: 'CLOTUREE', previousStatus: 'EN_COURS', closingCode: 'TRAITEE', seq: 4, at: expect.any(String) },
  ]);
  for (const d of deliveries) {
    expect(verifySignature(hook.body.secret, d.raw, String(d.headers['x-guichet-signature']))).toBe(true);
    expect(verifySignature('whsec_autre', d.raw, String(d.headers['x-guichet-signature']))).toBe(false);
    expect(verifySignature(hook.body.secret, d.raw.replace(ref, 'DEM-2026-999999'), String(d.headers['x-guichet-signature']))).toBe(false);
    expect(d.headers['x-guichet-delivery']).toBe(String(d.body.id));
    expect(d.headers['x-guichet-event']).toBe(d.body.event);
    expect(d.headers['content-type']).toBe('application/json');
    for (const secretText of [citizen.firstName, citizen.lastName, citizen.email, citizen.phone, 'réponse-très-privée', 'commentaire privé', 'Anne Martin', 'amartin']) {
      expect(d.raw).not.toContain(secretText);
    }
  }
  // The receiver has the POST before the worker records its answer: wait for the records.
  const rows = await waitFor(async () => {
    const recorded = await h.db('webhook_deliveries').where({ webhook_id: hook.body.id }).whereIn('id', deliveries.map((d) => d.body.id));
    return recorded.every((r) => r.status !== 'PENDING') ? recorded : null;
  }, 20000, 'the deliveries recorded');
  expect(rows.map((r) => [r.status, r.attempts, r.last_status])).toEqual([['DELIVERED', 1, 200], ['DELIVERED', 1, 200], ['DELIVERED', 1, 200]]);

  // The voirie-only key's webhook heard nothing of this acte-naissance request.
  expect(receiver.received.filter((r) => r.path === '/voirie')).toEqual([]);
  // A voirie request reaches both.
  const voirie = await file(voirieKey, 'signalement-voirie');
  await waitFor(() => receiver.received.find((r) => r.path === '/voirie' && r.body.reference === voirie.body.reference), 20000, 'the voirie delivery');
  await waitFor(() => receiver.received.find((r) => r.path === '/demo' && r.body.reference === voirie.body.reference), 20000, 'the demo delivery');

  // A delivery whose workflow start was lost (a crash after the commit) is started by the sweep, once.
  const lostId = await deliveryWhoseStartWasLost(h, deliveries[0].body.id);
  expect(await startPendingDeliveries(h.db, h.ctx.client, h.config)).toBe(1);
  expect(await startPendingDeliveries(h.db, h.ctx.client, h.config)).toBe(0);
  await waitFor(() => receiver.received.find((r) => r.body.id === Number(lostId)), 20000, 'the swept delivery');

  // Removed: it gets nothing more; another key cannot remove it.
  expect((await h.api('DELETE', `/api/webhooks/${hook.body.id}`, voirieKey)).status).toBe(404);
  expect((await h.api('DELETE', `/api/webhooks/${hook.body.id}`, h.partnerKey)).status).toBe(204);
  expect((await h.api('DELETE', `/api/webhooks/${hook.body.id}`, h.partnerKey)).status).toBe(404);
  expect((await h.api('GET', '/api/webhooks', h.partnerKey)).body).toEqual([]);
  const after = await file(h.partnerKey, 'acte-naissance');
  await waitFor(() => h.mails.find((m) => m.subject.includes(after.body.reference)), 20000, 'the announcement, which enqueues the deliveries');
  await new Promise((r) => setTimeout(r, 1000));
  expect(receiver.received.filter((r) => r.body.reference === after.body.reference)).toEqual([]);
});

test('a receiver answering 500 twice then 200 gets three attempts of the same delivery, which ends DELIVERED; one always failing ends FAILED', async () => {
  const { secret: key } = await createScopedKey(h.db, 'Urbanisme', ['certificat-urbanisme']);
  const flaky = await h.api('POST', '/api/webhooks', key, { url: `${receiver.url}/flaky` });
  const down = await h.api('POST', '/api/webhooks', key, { url: `${receiver.url}/down` });
  const filed = await file(key, 'certificat-urbanisme');

  const delivered = await waitFor(async () => {
    const row = await h.db('webhook_deliveries').where({ webhook_id: flaky.body.id }).first();
    return row?.status === 'DELIVERED' ? row : null;
  }, 20000, 'the flaky delivery');
  expect(delivered).toMatchObject({ attempts: 3, last_status: 200, event: 'SUBMITTED' });
  const attempts = receiver.received.filter((r) => r.path === '/flaky');
  expect(attempts).toHaveLength(3);
  expect(new Set(attempts.map((a) => a.body.id))).toEqual(new Set([delivered.id]));
  expect(attempts.every((a) => a.body.reference === filed.body.reference)).toBe(true);

  const failed = await waitFor(async () => {
    const row = await h.db('webhook_deliveries').where({ webhook_id: down.body.id }).first();
    return row?.status === 'FAILED' ? row : null;
  }, 20000, 'the failing delivery given up');
  expect(failed.attempts).toBeGreaterThanOrEqual(3);
  expect(failed.last_status).toBe(500);
  expect(failed.delivered_at).toBeNull();
});
