// « À rappeler » (/demandes/a-rappeler): the due callbacks for me, then for the group, then those planned.
import express from 'express';
import type { Ctx } from '../../commands/context';
import { openCallbacksOfGroups, sortCallbacks } from '../../db/callbacks';
import { t } from '../../i18n';
import { callbackRow } from './callbackModels';
import { renderPage } from './render';
import { currentAgent } from './session';

export const CALLBACKS_PATH = '/demandes/a-rappeler';

export function callbackRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get(CALLBACKS_PATH, async (req, res) => {
    const agent = currentAgent(req);
    const now = Date.now();
    const sorted = sortCallbacks(agent, await openCallbacksOfGroups(ctx.db, agent.groupIds));
    const rows = (list: typeof sorted.mine) => list.map((c) => callbackRow(c, now));
    await renderPage(ctx, req, res, 'callbacks', {
      title: t('ui.callbacks.title'), mine: rows(sorted.mine), group: rows(sorted.group), planned: rows(sorted.planned),
    });
  });
  return router;
}
