import express from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { ExportAbandoned, exportRequests, type ExportFormat } from '../../exports/requestsExport';
import { t } from '../../i18n';
import { parseListParams, type Query } from '../listParams';
import { listSpecOf } from './listSpecs';
import { authorized } from './authorized';
import { currentAgent } from './session';
import { parisIsoDay } from '../../dates';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** `/exports/<list>.<csv|xlsx>?<the list's own URL parameters>`: the whole list, not only its page. */
export function exportRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/exports/:file', authorized('export'), async (req, res) => {
    const match = /^([a-z-]+)\.(csv|xlsx)$/.exec(String(req.params.file));
    const agent = currentAgent(req);
    const query = req.query as Query;
    const spec = match ? listSpecOf(match[1], agent, query) : null;
    if (!match || !spec) {
      throw CommandError.of(404, 'NOT_FOUND');
    }
    const format = match[2] as ExportFormat;
    const params = await parseListParams(ctx.db, query, spec.defaultSort);
    const day = parisIsoDay(Date.now());
    res.set({
      'Content-Type': CONTENT_TYPES[format],
      'Content-Disposition': `attachment; filename="${spec.view}-${day}.${format}"`,
      'Cache-Control': 'no-store',
    });
    try {
      await exportRequests(ctx.db, {
        filter: { ...params.filter, ...spec.fixed, groupIds: agent.groupIds },
        sort: params.page.sort,
        dir: params.page.dir,
        format,
        sheetName: t(`ui.exports.sheet.${spec.view}`),
      }, res);
    } catch (err) {
      // The agent left: the export and its query stopped; there is no one to answer.
      if (!(err instanceof ExportAbandoned)) throw err;
      req.log.info({ file: req.params.file }, 'export abandoned by the client');
    }
  });
  return router;
}
