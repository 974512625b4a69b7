// Citizens' files for the agents at the counter and on the phone: search by name,
// e-mail, phone or national number; create a file; open it with all its requests.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { createCitizen, findCitizenFor, requestsOfCitizen, searchCitizens } from '../../db/citizens';
import { checkForm, type RawValues } from '../../forms/answers';
import { IDENTITY_FIELDS, type FieldDefinition } from '../../forms/fields';
import { errorSummary, section } from '../../forms/formView';
import { t } from '../../i18n';
import { can } from '../../policies';
import { text } from './forms';
import { phonePrefill } from './phonePrefill';
import { renderPage } from './render';
import { authorized } from './authorized';
import { currentAgent } from './session';

export const NATIONAL_NUMBER: FieldDefinition = {
  key: 'numero-national', label: t('ui.citizens.nationalNumber.label'), type: 'text', required: false, maxLength: 25,
  pattern: '[0-9 .-]{11,25}', patternMessage: t('ui.citizens.nationalNumber.pattern'),
  help: t('ui.citizens.nationalNumber.help'),
};
const CITIZEN_FIELDS = [...IDENTITY_FIELDS.map((f) => ({ ...f, help: undefined })), NATIONAL_NUMBER];

/** A file's fields as the entry form's prefill: the same input names as the forms. */
export function prefillOf(c: { first_name: string; last_name: string; email: string | null; phone: string | null; address: string | null }): RawValues {
  const [street = '', rest = ''] = (c.address ?? '').split('\n');
  const m = /^(\d{5})\s+(.*)$/.exec(rest.trim());
  return {
    nom: c.last_name, prenom: c.first_name, courriel: c.email ?? '', telephone: c.phone ?? '',
    'adresse-rue': street, 'adresse-code-postal': m?.[1] ?? '', 'adresse-commune': m?.[2] ?? rest,
  };
}

/** The same answer for a file that does not exist and for one the agent may not see. */
export async function citizenNotFound(ctx: Ctx, req: Request, res: Response): Promise<void> {
  res.status(404);
  await renderPage(ctx, req, res, 'error', { title: t('ui.citizens.notFoundTitle'), message: t('ui.citizens.notFound') });
}

export function citizenRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.use('/usagers', authorized('citizens'));

  router.get('/usagers', async (req, res) => {
    const q = text(req.query, 'q', 200);
    await renderPage(ctx, req, res, 'citizens', { title: t('ui.citizens.nav'), q, searched: Boolean(q), results: await searchCitizens(ctx.db, q, currentAgent(req)) });
  });

  const newPage = async (req: Request, res: Response, raw: RawValues = {}, errors: Record<string, string> = {}) => {
    await renderPage(ctx, req, res, 'citizenNew', {
      title: t('ui.citizens.newTitle'),
      sections: [section('usager', t('ui.citizens.identity'), CITIZEN_FIELDS, raw, errors)],
      summary: errorSummary(CITIZEN_FIELDS, errors),
      failed: Object.keys(errors).length > 0,
    });
  };

  // From the call panel, the caller's number is filled in.
  router.get('/usagers/nouveau', async (req, res) => newPage(req, res, phonePrefill(req)));

  router.post('/usagers', async (req, res) => {
    const raw = (req.body ?? {}) as RawValues;
    const checked = checkForm([NATIONAL_NUMBER], raw);
    if (Object.keys(checked.errors).length) {
      res.status(400);
      await newPage(req, res, raw, checked.errors);
      return;
    }
    const { publicId } = await createCitizen(ctx.db, { ...checked.citizen, nationalNumber: (checked.answers[NATIONAL_NUMBER.key] as string | undefined) ?? null }, currentAgent(req).id);
    req.session.flash = { kind: 'success', message: t('ui.citizens.created', { firstName: checked.citizen.firstName, lastName: checked.citizen.lastName }) };
    res.redirect(303, `/usagers/${publicId}`);
  });

  router.get('/usagers/:publicId', async (req, res) => {
    const agent = currentAgent(req);
    const citizen = await findCitizenFor(ctx.db, String(req.params.publicId), agent);
    if (!citizen) {
      await citizenNotFound(ctx, req, res);
      return;
    }
    const all = await requestsOfCitizen(ctx.db, citizen.id);
    // Another service's requests are not this agent's to read: only counted.
    const requests = all.filter((r) => can(agent, 'read', r)).map((r) => ({ ...r, purged: r.purged_at !== null && r.purged_at !== undefined }));
    await renderPage(ctx, req, res, 'citizenFile', {
      title: `${citizen.first_name} ${citizen.last_name}`, citizen, requests, others: all.length - requests.length,
    });
  });
  return router;
}
