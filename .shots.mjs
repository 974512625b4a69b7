import { chromium } from 'playwright-core';
const base = 'http://localhost:4401';
const out = '/tmp/citizen-shots';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const codes = { c1: '47GCA-9ZDH9', c2: 'A76GW-VQE6Z', c3: 'Q48NY-KSGY7', closed: '9KMG5-6P5MT', held: 'JTRXD-H98X3' };
async function agentPage(width) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' });
  const p = await ctx.newPage();
  await p.goto(base + '/connexion');
  await p.getByLabel('Code agent').fill('amartin');
  await p.getByLabel('Mot de passe').fill('guichet-demo');
  await Promise.all([p.waitForURL(base + '/'), p.getByRole('button', { name: 'Se connecter' }).click()]);
  return p;
}
// A message to the citizen on 000002 (waiting for them)
{
  const p = await agentPage(1366);
  await p.goto(base + '/demandes/DEM-2026-000002');
  await p.locator('summary', { hasText: 'Écrire un message' }).click();
  await p.getByLabel('Message', { exact: true }).fill('Merci de nous envoyer une copie de votre livret de famille.');
  await p.getByRole('button', { name: 'Envoyer le message' }).click();
  await p.getByText('Message enregistré.').waitFor();
  await p.context().close();
}
await new Promise((r) => setTimeout(r, 3000));
for (const width of [1366, 390]) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' });
  const p = await ctx.newPage();
  const shot = async (name) => { await p.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true }); const sw = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]); console.log(name, width, sw, await p.title()); };
  await p.goto(base + '/suivi'); await shot('suivi');
  await p.goto(base + '/suivi?code=abcde'); await shot('suivi-erreur');
  await p.goto(base + '/suivi?code=' + encodeURIComponent(codes.c3.toLowerCase().replace('-', ' '))); await shot('suivi-non-traitee');
  await p.goto(base + '/suivi?code=' + codes.c1.replace('-', '')); await shot('suivi-en-cours');
  await p.goto(base + '/suivi?code=' + codes.c2); await shot('suivi-attente-usager');
  await p.goto(base + '/suivi?code=' + codes.held); await shot('suivi-attente');
  await p.goto(base + '/suivi?code=' + codes.closed); await shot('suivi-cloturee');
  await p.goto(base + '/formulaires/acte-naissance');
  await p.getByLabel('Nom', { exact: false }).first().fill('Curie');
  await Promise.all([p.waitForLoadState('load'), p.getByRole('button', { name: 'Envoyer ma demande' }).click()]);
  await p.locator('#erreurs').waitFor();
  console.log('focus', await p.evaluate(() => document.activeElement?.id));
  await p.screenshot({ path: `${out}/formulaire-erreur-${width}.png` }); console.log('formulaire-erreur', await p.title());
  await ctx.close();
  const a = await agentPage(width);
  const ashot = async (name) => { await a.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true }); const sw = await a.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]); console.log(name, width, sw, await a.title()); };
  await a.goto(base + '/demandes/DEM-2026-000001?depuis=en-cours'); await ashot('demande-000001');
  await a.goto(base + '/demandes/DEM-2026-000007?depuis=journal'); await ashot('demande-purgee');
  await a.goto(base + '/demandes/DEM-2026-000002?depuis=recherche');
  await a.locator('#agent-emails summary').click().catch(() => {});
  await ashot('demande-000002-avis-ouverts');
  await a.goto(base + '/saisie/acte-naissance');
  await Promise.all([a.waitForLoadState('load'), a.getByRole('button', { name: 'Enregistrer la demande' }).click()]);
  await a.locator('#erreurs').waitFor();
  console.log('entry focus', await a.evaluate(() => document.activeElement?.id), await a.title());
  await a.screenshot({ path: `${out}/saisie-erreur-${width}.png` });
  await a.context().close();
}
await browser.close();
