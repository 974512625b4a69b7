// The citizens' side of the online forms, without login: the catalogue, one page per form
// (server-rendered, usable without JavaScript), and the confirmation with the tracking code.
import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { submit } from '../../commands/submit';
import { dbRateLimiter, takePoint } from '../../db/rateLimits';
import { bodyHash } from '../../db/idempotency';
import { t } from '../../i18n';
import { findFormType, listFormTypes, type FormTypeRow } from '../../db/formTypes';
import { currentForm } from '../../db/formVersions';
import { emailOfRequest } from '../../db/requests';
import type { RawValues } from '../../forms/answers';
import { formModel, readFilledForm } from './filledForm';
import { publicHelpOf } from './kbPublic';
import { renderPage } from './render';

declare module 'express-session' {
  interface SessionData {
    /**
     * The last request this browser filed, shown on the confirmation page. Nothing
     * personal: the reference and tracking code stay on the anonymous stub after the
     * purge anyway; the e-mail address is read from the request while it has one.
     */
    confirmation: { reference: string; trackingCode: string; formTitle: string; emailed: boolean };
  }
}

const HONEYPOT = 'site_internet';
const FORM_TOKEN = 'jeton';

/** The page's token as the form sent it back, if it has the shape we gave it. */
function formTokenOf(raw: RawValues): string | undefined {
  const value = raw[FORM_TOKEN];
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value) ? value : undefined;
}

/** Published forms by service, for the catalogue. */
export function byService(forms: FormTypeRow[]) {
  const services = new Map<string, { slug: string; name: string; forms: FormTypeRow[] }>();
  for (const f of forms) {
    const s = services.get(f.service_slug) ?? { slug: f.service_slug, name: f.service_name, forms: [] };
    s.forms.push(f);
    services.set(f.service_slug, s);
  }
  return [...services.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export function publicFormRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  let limiter: Promise<RateLimiterAbstract> | undefined;
  const submissions = () => (limiter ??= dbRateLimiter(ctx.db, 'submission_attempts', 'form', ctx.config.formSubmissionsPerHour, 3600));

  const published = async (slug: string) => {
    const formType = await findFormType(ctx.db, slug);
    return formType && formType.published ? formType : undefined;
  };

  const formPage = async (req: Request, res: Response, formType: FormTypeRow, raw: RawValues = {}, errors: Record<string, string> = {}, refusal?: string, freshToken = false) => {
    const form = await currentForm(ctx.db, formType.id);
    await renderPage(ctx, req, res, 'publicForm', {
      title: formType.title, slug: formType.slug, description: formType.description, refusal, ...formModel(form.fields, raw, errors),
      failed: Boolean(refusal) || Object.keys(errors).length > 0,
      help: await publicHelpOf(ctx, formType.id),
      // The page's own token: sent twice (a double click, a retry after an error), it files once.
      formToken: (!freshToken && formTokenOf(raw)) || crypto.randomBytes(16).toString('hex'),
    });
  };

  router.get('/formulaires', async (req, res) => {
    const forms = (await listFormTypes(ctx.db)).filter((f) => f.published);
    await renderPage(ctx, req, res, 'catalogue', { title: t('ui.catalogue.title'), services: byService(forms), base: '/formulaires' });
  });

  router.get('/formulaires/confirmation', async (req, res) => {
    const confirmation = req.session?.confirmation;
    if (!confirmation) {
      res.redirect(303, '/formulaires');
      return;
    }
    res.set('Cache-Control', 'no-store');
    // Gone once the request is purged: the session never held it.
    const email = (await emailOfRequest(ctx.db, confirmation.reference)) ?? null;
    await renderPage(ctx, req, res, 'confirmation', { title: t('ui.confirmation.title'), confirmation: { ...confirmation, email } });
  });

  // An unknown or withdrawn form: said to the citizen, not sent to the agents' login.
  const gone = async (req: Request, res: Response) => {
    res.status(404);
    await renderPage(ctx, req, res, 'error', { title: t('ui.publicForm.notFoundTitle'), message: t('ui.publicForm.notFound') });
  };

  router.get('/formulaires/:slug', async (req, res) => {
    const formType = await published(String(req.params.slug));
    if (!formType) {
      await gone(req, res);
      return;
    }
    await formPage(req, res, formType);
  });

  router.post('/formulaires/:slug', async (req, res) => {
    const formType = await published(String(req.params.slug));
    if (!formType) {
      await gone(req, res);
      return;
    }
    const raw = (req.body ?? {}) as RawValues;
    const refuse = async (status: number, message: string, errors: Record<string, string> = {}) => {
      res.status(status);
      await formPage(req, res, formType, raw, errors, message);
    };
    const address = req.ip ?? 'inconnue';
    // Counted before anything is filed, atomically in the store: submissions sent at once
    // cannot all pass a count read before any of them was added.
    const limiter = await submissions();
    const ticket = await takePoint(limiter, address);
    if (!ticket.ok) {
      const minutes = Math.ceil(ticket.waitSeconds / 60);
      res.set('Retry-After', String(ticket.waitSeconds));
      await refuse(429, t('ui.publicForm.tooMany', { count: minutes }));
      return;
    }
    // A form refused for its content was not filed: the citizen corrects it without losing a submission.
    const giveBack = () => limiter.reward(address, 1);
    if (typeof raw[HONEYPOT] === 'string' && raw[HONEYPOT].trim() !== '') {
      await refuse(400, t('ui.publicForm.honeypotFilled'));
      return;
    }
    const form = await currentForm(ctx.db, formType.id);
    const filled = await readFilledForm(req, form.fields);
    if (Object.keys(filled.errors).length > 0) {
      await giveBack();
      await refuse(400, '', filled.errors);
      return;
    }
    const token = formTokenOf(raw);
    const idempotency = token ? { owner: `form:${formType.slug}`, key: token, hash: bodyHash({ citizen: filled.citizen, answers: filled.answers }) } : undefined;
    try {
      const filed = await submit(ctx, { formType: formType.slug, citizen: filled.citizen, answers: filled.answers, uploads: filled.uploads, channel: 'web', idempotency });
      if (filed.replayed) {
        await giveBack(); // the same request shown again, not a new one
      }
      req.session.confirmation = { reference: filed.reference, trackingCode: filed.trackingCode, formTitle: formType.title, emailed: Boolean(filled.citizen.email) };
      res.redirect(303, '/formulaires/confirmation');
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      await giveBack();
      if (err.code === 'IDEMPOTENCY_KEY_REUSED') {
        // This page already filed a request, with other answers: a new page (token) for a new one.
        res.status(409);
        await formPage(req, res, formType, raw, {}, t('errors.FORM_ALREADY_SENT'), true);
        return;
      }
      await refuse(err.status, err.message);
    }
  });
  return router;
}
