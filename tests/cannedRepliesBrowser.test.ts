// Canned replies in Chromium: the administrator writes a shared reply; Anne Martin picks it
// on a request's message form, sees it filled for the request, edits it (a placeholder she
// leaves unknown is flagged as she types), and sends: the citizen gets her edited text.
// Screenshots of each page at 1366 and 390 px (SCREENSHOTS_DIR, else tests/.tmp/screens).
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, actionResponse, administering, launchBrowser, loggedIn } from './support/browser';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { screenProblems, screenshot, WIDTHS } from './support/screenAudit';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The page checked and shot at each width, then left at the office width. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const { width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    expect(await screenProblems(page)).toEqual([]);
    await screenshot(page, `canned-${name}`, width);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

test('a shared reply picked on the request page, filled, edited and sent; the citizen receives the edited text', async () => {
  // The administrator writes it under Administration › Réponses types.
  const admin = await administering(browser, h.baseUrl);
  await admin.page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Réponses types' }).click();
  await admin.page.getByRole('heading', { name: 'Réponses types partagées' }).waitFor();
  await admin.page.getByLabel('Titre').fill('Pièce manquante');
  await admin.page.getByLabel('Service').selectOption({ label: 'État civil' });
  await admin.page.getByLabel('Texte').fill('Bonjour {{nomUsager}},\n\nPour votre demande {{reference}}, il nous manque une pièce.\n\nCordialement,\n{{nomAgent}}');
  await admin.page.getByRole('button', { name: 'Enregistrer la réponse type' }).click();
  await admin.page.getByText('Réponse type « Pièce manquante » créée.').waitFor();
  await shoot(admin.page, 'admin-list');
  await admin.page.getByRole('link', { name: 'Pièce manquante' }).click();
  await admin.page.getByRole('heading', { name: 'Réponse type « Pièce manquante »' }).waitFor();
  await shoot(admin.page, 'admin-edit');
  await admin.context.close();

  const r = await submitRequest(h, { citizen: { firstName: 'Odile', lastName: 'Navigatrice', email: 'odile@example.org' } });
  expect((await h.api('POST', `/api/requests/${r.reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);

  const { context, page } = await loggedIn(browser, h.baseUrl, 'amartin');
  // « Mes réponses types »: one of her own, beside the shared one she may use.
  await page.goto('/reponses-types');
  await page.getByLabel('Titre').fill('Remerciement');
  await page.getByLabel('Texte').fill('Merci {{nomUsager}}, votre dossier est complet.');
  await page.getByRole('button', { name: 'Enregistrer la réponse type' }).click();
  await page.getByText('Réponse type « Remerciement » créée.').waitFor();
  await page.getByText('Pièce manquante').click();
  await page.getByText('il nous manque une pièce.').waitFor();
  await shoot(page, 'mine');

  await page.goto(`/demandes/${r.reference}`);
  await page.locator('summary', { hasText: 'Écrire un message' }).click();
  const body = page.getByLabel('Message', { exact: true });
  await body.fill('Texte provisoire');
  await page.getByLabel('Réponse type').selectOption({ label: 'Pièce manquante' });
  await waitFor(async () => (await page.getByLabel('Message', { exact: true }).inputValue()).startsWith('Bonjour Odile Navigatrice'), 10_000, 'the textarea filled');
  expect(await body.inputValue()).toBe(`Bonjour Odile Navigatrice,\n\nPour votre demande ${r.reference}, il nous manque une pièce.\n\nCordialement,\nAnne Martin`);

  // A placeholder she types that means nothing is flagged beside the text, then no longer once replaced.
  await body.fill((await body.inputValue()).replace('une pièce.', 'votre {{justificatif}}.'));
  await page.getByText('Un champ ne peut pas être rempli pour cette demande').waitFor();
  await shoot(page, 'request-warning');
  await body.fill((await body.inputValue()).replace('{{justificatif}}', 'justificatif de domicile'));
  await page.getByText('Un champ ne peut pas être rempli pour cette demande').waitFor({ state: 'detached' });
  expect(await accessibilityViolations(page)).toEqual([]);

  expect(await actionResponse(page, `/${r.reference}/message`, () => page.getByRole('button', { name: 'Envoyer le message' }).click())).toBe(200);
  await page.getByText('Message enregistré.').waitFor();
  const mail = await waitFor(() => h.mails.find((m) => m.to.includes('odile@example.org') && m.text.includes('justificatif de domicile')), 15_000, 'the message e-mail');
  expect(mail.text).toContain('Bonjour Odile Navigatrice');
  expect(mail.text).not.toContain('{{');
  await page.locator('.thread-body', { hasText: 'justificatif de domicile' }).waitFor();
  await context.close();
});
