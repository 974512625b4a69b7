// The experts' side of a consultation: the queue of the questions asked of the agent's
// groups (« Consultations »), and the answer or withdrawal posted from the request page.
// Plain form posts answered by a redirect: an answered request leaves the expert's hands,
// so there is no panel to swap in its place.
import express, { type Request, type Response } from 'express';
import { answerConsultation, withdrawConsultation } from '../../commands/consult';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { findConsultation, pendingConsultations } from '../../db/consultations';
import { t } from '../../i18n';
import { answerConsultationForm } from './forms';
import { renderPage } from './render';
import { renderRefusal } from './requestPage';
import { currentAgent } from './session';

export const CONSULTATIONS_PATH = '/demandes/consultations';

const idOf = (req: Request): number => Number(req.params.id);

/** Runs the command; a refusal the agent may see goes back to the request page as a flash message. */
async function respond(ctx: Ctx, req: Request, res: Response, run: () => Promise<{ reference: string }>, done: (reference: string) => { message: string; to: string }): Promise<void> {
  try {
    const { reference } = await run();
    const { message, to } = done(reference);
    req.session.flash = { kind: 'success', message };
    res.redirect(303, to);
  } catch (err) {
    if (!(err instanceof CommandError)) {
      throw err;
    }
    const consultation = err.status === 403 || err.status === 404 ? undefined : await findConsultation(ctx.db, idOf(req));
    if (!consultation) {
      await renderRefusal(ctx, req, res, err);
      return;
    }
    req.session.flash = { kind: 'error', message: err.message };
    res.redirect(303, `/demandes/${encodeURIComponent(consultation.reference)}`);
  }
}

export function consultationRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get(CONSULTATIONS_PATH, async (req, res) => {
    const agent = currentAgent(req);
    const consultations = (await pendingConsultations(ctx.db, agent.groupIds)).map((c) => ({ ...c, from_group_name: c.from_group_name ?? '' }));
    await renderPage(ctx, req, res, 'consultations', { title: t('ui.consultations.title'), consultations });
  });

  // The expert answers: the request resumes for the agent who asked, and leaves the expert's view.
  router.post('/consultations/:id/answer', (req, res) => respond(ctx, req, res, async () => {
    const agent = currentAgent(req);
    return answerConsultation(ctx, agent, idOf(req), answerConsultationForm(req.body));
  }, () => ({ message: t('ui.consultations.answered_notice'), to: CONSULTATIONS_PATH })));

  router.post('/consultations/:id/withdraw', (req, res) => respond(ctx, req, res, async () => withdrawConsultation(ctx, currentAgent(req), idOf(req)), (reference) => ({
    message: t('ui.consultations.withdrawn_notice'), to: `/demandes/${encodeURIComponent(reference)}`,
  })));
  return router;
}
