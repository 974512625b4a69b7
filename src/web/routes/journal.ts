import express from 'express';
import type { Ctx } from '../../commands/context';
import { milestonesOf } from '../../db/journal';
import { closingCodeLabels, listEventTypes } from '../../db/views';
import { t } from '../../i18n';
import { listModel } from './listModel';
import { JOURNAL_VIEW, listSpecOf } from './listSpecs';
import { choicesModel } from './lists';
import { renderPageOrPart } from './render';
import { currentAgent } from './session';

/** The journal: closed requests, what is left of them after the purge, with their milestones. */
export function journalRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/journal', async (req, res) => {
    const agent = currentAgent(req);
    const listed = listModel(ctx, req.query as Record<string, unknown>, agent, listSpecOf(JOURNAL_VIEW, agent, req.query as Record<string, unknown>)!);
    // What does not depend on the rows is read while the list's own queries run.
    const [model, types, codeLabels, choices] = await Promise.all([
      listed,
      listEventTypes(ctx.db),
      closingCodeLabels(ctx.db),
      choicesModel(ctx, agent, listed.then((m) => m.values)),
    ]);
    const milestones = await milestonesOf(ctx.db, model.rows.map((r) => r.id));
    const typeLabels = new Map(types.map((e) => [e.code, e.label]));
    const rows = model.rows.map((r) => ({
      ...r,
      closingLabel: r.closing_code ? (codeLabels.get(r.closing_code) ?? r.closing_code) : '',
      milestones: (milestones.get(r.id) ?? []).map((e) => ({ label: typeLabels.get(e.type) ?? t(`event.${e.type}`), at: e.at })),
    }));
    await renderPageOrPart(ctx, req, res, 'journal', { 'list-region': 'journalRegion' }, {
      title: t('ui.journal.title'),
      ...model,
      rows,
      choices,
    });
  });
  return router;
}
