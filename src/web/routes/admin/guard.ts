import type { NextFunction, Request, Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { t } from '../../../i18n';
import { can } from '../../../policies';
import { isHtmx, renderPage } from '../render';
import { currentAgent, roleOf } from '../session';

/**
 * Administration is for administrators in the "Administrer" role: anyone else gets a
 * 403, as a page or, for an htmx request, as a message in the page's alert region.
 */
export function requireAdminRole(ctx: Ctx) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const agent = currentAgent(req);
    // The policy says who may administer; the role they chose says whether they are doing it now.
    const allowed = can(agent, 'administer');
    if (allowed && roleOf(req) === 'admin') {
      next();
      return;
    }
    const message = t(allowed ? 'ui.admin.forbiddenRole' : 'ui.admin.forbidden');
    res.status(403);
    if (isHtmx(req)) {
      res.set({ 'HX-Retarget': '#global-alert', 'HX-Reswap': 'innerHTML' }).type('text/plain').send(message);
      return;
    }
    await renderPage(ctx, req, res, 'error', { title: t('ui.admin.title'), message });
  };
}
