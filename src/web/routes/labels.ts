import express from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { postalAddressesOf } from '../../db/postalAddresses';
import { writeLabels, type Label, type Skipped } from '../../labels/addressLabels';
import { t } from '../../i18n';
import { selectedIds, returnPath } from './bulk';
import { authorized } from './authorized';
import { currentAgent } from './session';
import { parisIsoDay } from '../../dates';

/** Étiquettes: a PDF of the citizens' postal addresses for the selected requests of the agent's services. */
export function labelRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.post('/etiquettes', authorized('labels'), async (req, res) => {
    const agent = currentAgent(req);
    const body = req.body as Record<string, unknown>;
    const ids = await selectedIds(ctx, agent, body);
    if (!ids.length) {
      req.session.flash = { kind: 'error', message: CommandError.of(400, 'BULK_EMPTY').message };
      res.redirect(303, returnPath(body));
      return;
    }
    // Requests of other services are left out entirely, as if their ids had not been sent.
    const rows = await postalAddressesOf(ctx.db, ids, agent.groupIds);
    const labels: Label[] = [];
    const skipped: Skipped[] = [];
    for (const r of rows) {
      if (r.first_name === null) {
        skipped.push({ reference: r.reference, reason: t('ui.labels.purged') });
      } else if (!r.address?.trim()) {
        skipped.push({ reference: r.reference, reason: t('ui.labels.noAddress') });
      } else {
        labels.push({ name: `${r.first_name} ${r.last_name}`, address: r.address.trim() });
      }
    }
    const day = parisIsoDay(Date.now());
    res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="etiquettes-${day}.pdf"`, 'Cache-Control': 'no-store' });
    await writeLabels(labels, skipped, res, { title: t('ui.labels.title'), skippedHeading: t('ui.labels.skippedHeading') });
  });
  return router;
}
