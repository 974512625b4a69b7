// « Autres opérations » → « Fusionner »: from the bulk bar of a list or from a citizen's
// file, a confirmation listing the requests, then the merge; « Annuler la fusion » on the
// merged request's page.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { merge, mergeableRequests } from '../../commands/merge';
import { undoMerge } from '../../commands/undoMerge';
import type { RequestRow } from '../../db/requests';
import { t } from '../../i18n';
import { returnPath, selectedIds } from './bulk';
import { renderPage } from './render';
import { currentAgent } from './session';

const listOf = (raw: unknown): string[] => (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');

/** The references chosen: by reference (a citizen's file, the confirmation) or by the list's ticked ids. */
async function chosenReferences(ctx: Ctx, req: Request): Promise<string[]> {
  const body = req.body as Record<string, unknown>;
  const named = listOf(body.references);
  if (named.length > 0) {
    return named;
  }
  const ids = (await selectedIds(ctx, currentAgent(req), body)).slice(0, 50);
  return ids.length === 0 ? [] : ctx.db('requests').whereIn('id', ids).orderBy('created_at').pluck('reference');
}

async function confirmPage(ctx: Ctx, req: Request, res: Response, model: { requests?: RequestRow[]; error?: string }): Promise<void> {
  await renderPage(ctx, req, res, 'mergeConfirm', {
    title: model.error ? t('merge.errorTitle') : t('merge.title'),
    back: returnPath(req.body as Record<string, unknown>),
    ...model,
  });
}

export function mergeRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  /** A refusal (nothing done) is said on the confirmation page, with the way back. */
  const onConfirmPage = (work: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await work(req, res);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      await confirmPage(ctx, req, res, { error: err.message });
    }
  };

  // The confirmation: the requests listed, or the reason they cannot be merged.
  router.post('/fusion', onConfirmPage(async (req, res) => {
    const requests = await mergeableRequests(ctx, currentAgent(req), await chosenReferences(ctx, req));
    await confirmPage(ctx, req, res, { requests });
  }));

  router.post('/fusion/confirmer', onConfirmPage(async (req, res) => {
    const merged = await merge(ctx, currentAgent(req), { references: listOf((req.body as Record<string, unknown>).references) });
    if (merged.status === 'PENDING') {
      res.status(202);
      await confirmPage(ctx, req, res, { error: t('errors.MERGE_PENDING') });
      return;
    }
    res.redirect(303, `/demandes/${merged.reference}?fusion=1`);
  }));

  router.post('/demandes/:reference/annuler-fusion', async (req, res) => {
    try {
      const undone = await undoMerge(ctx, currentAgent(req), req.params.reference);
      res.redirect(303, `/demandes/${undone.references[0]}?fusion=annulee`);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      await renderPage(ctx, req, res, 'error', { title: t('ui.errorPage.title'), message: err.message });
    }
  });
  return router;
}
