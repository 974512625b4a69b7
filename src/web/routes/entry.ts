// An agent files a request for a citizen who calls or comes to the counter: from the
// citizen's file (prefilled from it) or from the catalogue, with the channel it came by.
// It then follows the normal lifecycle.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { submit } from '../../commands/submit';
import { createCitizen, findCitizenFor, type CitizenRow } from '../../db/citizens';
import { findFormType, listFormTypes, type FormTypeRow } from '../../db/formTypes';
import { currentForm } from '../../db/formVersions';
import { t } from '../../i18n';
import { CHANNELS, type Channel } from '../../db/requests';
import { authorize, can } from '../../policies';
import type { RawValues } from '../../forms/answers';
import { citizenNotFound, prefillOf } from './citizens';
import { formModel, readFilledForm } from './filledForm';
import { phonePrefill, phoneQuery } from './phonePrefill';
import { text } from './forms';
import { byService } from './publicForms';
import { renderPage } from './render';
import { currentAgent } from './session';

export const CHANNEL_LABELS: Record<Channel, string> = { counter: t('ui.entry.channels.counter'), phone: t('ui.entry.channels.phone'), mail: t('ui.entry.channels.mail'), web: t('ui.entry.channels.web') };

export function entryRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  /** The file named by `usager` (its public id): undefined when none is named, null when it is not one the agent may see. */
  const citizenOf = async (req: Request, value: unknown): Promise<CitizenRow | undefined | null> => {
    if (typeof value !== 'string' || value === '') return undefined;
    return (await findCitizenFor(ctx.db, value, currentAgent(req))) ?? null;
  };
  const ownFormType = async (req: Request): Promise<FormTypeRow | undefined> => {
    const formType = await findFormType(ctx.db, String(req.params.slug));
    if (formType) {
      authorize(currentAgent(req), 'entry', formType);
    }
    return formType;
  };

  router.get('/saisie', async (req, res) => {
    const citizen = await citizenOf(req, req.query.usager);
    if (citizen === null) return citizenNotFound(ctx, req, res);
    const mine = (await listFormTypes(ctx.db)).filter((f) => can(currentAgent(req), 'entry', f));
    await renderPage(ctx, req, res, 'entryCatalogue', {
      title: citizen ? t('ui.entry.titleFor', { firstName: citizen.first_name, lastName: citizen.last_name }) : t('ui.entry.title'),
      services: byService(mine), citizen, query: citizen ? `?usager=${citizen.public_id}` : phoneQuery(req),
    });
  });

  const formPage = async (req: Request, res: Response, formType: FormTypeRow, citizen: CitizenRow | undefined, raw: RawValues, errors: Record<string, string> = {}, refusal?: string) => {
    const form = await currentForm(ctx.db, formType.id);
    const channel = (typeof raw.canal === 'string' ? raw.canal : 'counter') as Channel;
    await renderPage(ctx, req, res, 'entryForm', {
      title: t('ui.entry.formTitle', { formTitle: formType.title }),
      formType, citizen, refusal, createFile: raw.fiche === 'on', failed: Boolean(refusal) || Object.keys(errors).length > 0,
      channels: CHANNELS.map((value) => ({ value, label: CHANNEL_LABELS[value], checked: value === channel })),
      ...formModel(form.fields, raw, errors),
    });
  };

  router.get('/saisie/:slug', async (req, res, next) => {
    const formType = await ownFormType(req);
    if (!formType) return next();
    const citizen = await citizenOf(req, req.query.usager);
    if (citizen === null) return citizenNotFound(ctx, req, res);
    await formPage(req, res, formType, citizen, citizen ? prefillOf(citizen) : phonePrefill(req, true));
  });

  router.post('/saisie/:slug', async (req, res, next) => {
    const formType = await ownFormType(req);
    if (!formType) return next();
    const raw = (req.body ?? {}) as RawValues;
    const citizen = await citizenOf(req, raw.usager);
    if (citizen === null) return citizenNotFound(ctx, req, res);
    const channel = text(raw, 'canal', 16) as Channel;
    const form = await currentForm(ctx.db, formType.id);
    const filled = await readFilledForm(req, form.fields);
    if (!CHANNELS.includes(channel)) filled.errors.canal = t('ui.entry.channelRequired');
    if (Object.keys(filled.errors).length) {
      res.status(400);
      await formPage(req, res, formType, citizen, raw, filled.errors);
      return;
    }
    const agent = currentAgent(req);
    try {
      const citizenId = citizen?.id ?? (raw.fiche === 'on' ? (await createCitizen(ctx.db, filled.citizen, agent.id)).id : null);
      const filed = await submit(ctx, {
        formType: formType.slug, citizen: filled.citizen, answers: filled.answers, uploads: filled.uploads, channel, citizenId, filedBy: agent.id,
      });
      req.session.flash = { kind: 'success', message: t('ui.entry.filed', { reference: filed.reference, channel: CHANNEL_LABELS[channel].toLowerCase(), trackingCode: filed.trackingCode }) };
      res.redirect(303, `/demandes/${filed.reference}`);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      await formPage(req, res, formType, citizen, raw, {}, err.message);
    }
  });
  return router;
}
