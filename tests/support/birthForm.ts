// The birth certificate form of the browser tests: its fields, and filling them in a page.
import type { Browser, Page } from 'playwright-core';
import { saveFormVersion } from '../../src/db/formVersions';
import { BIRTH_FORM } from './files';
import { launchBrowser } from './browser';
import { startHarness, type Harness } from './harness';

/** A harness (list refresh off) whose "acte-naissance" has BIRTH_FORM's fields, and a browser. */
export async function startWithBirthForm(): Promise<[Harness, Browser]> {
  const [h, browser] = await Promise.all([startHarness({ env: { REFRESH_SECONDS: '3600' } }), launchBrowser()]);
  const formType = await h.db('form_types').where({ slug: 'acte-naissance' }).first('id');
  await saveFormVersion(h.db, formType.id, BIRTH_FORM, null);
  return [h, browser];
}

export async function fillBirthAnswers(page: Page, a: { born: string; place: string; reason: string; file: { name: string; mimeType: string; buffer: Buffer } }) {
  await page.locator('#champ-date-naissance').fill(a.born);
  await page.locator('#champ-lieu').fill(a.place);
  await page.locator('#champ-motif').selectOption(a.reason);
  await page.locator('#champ-justificatif').setInputFiles([a.file]);
}
