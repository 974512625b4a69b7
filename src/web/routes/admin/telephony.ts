// /admin/telephonie: the telephony connectors' keys (created, shown once, revoked) and the
// agents' lines, which a connector may name instead of the agent.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { assignPhoneLine, createTelephonyKey, revokeTelephonyKey } from '../../../calls/keys';
import { agentLines, telephonyKeys } from '../../../db/telephonyKeys';
import { frenchDate } from '../../../dates';
import { t } from '../../../i18n';
import { text } from '../forms';
import { attempt, doneTo, renderAdminPage } from './render';

const BASE = '/admin/telephonie';

export function telephonyAdminRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const page = async (req: Request, res: Response, model: Record<string, unknown> = {}) => {
    const keys = (await telephonyKeys(ctx.db)).map((k) => ({ ...k, createdOn: frenchDate(k.created_at, 'day'), revokedOn: k.revoked_at === null ? null : frenchDate(k.revoked_at, 'day') }));
    renderAdminPage(ctx, req, res, 'telephony', { title: t('ui.admin.telephony.title'), keys, agents: await agentLines(ctx.db), values: { name: '', agent: '', line: '' }, ...model });
  };

  router.get('/telephonie', async (req, res) => page(req, res));

  // The secret is rendered in the answer to this POST only, never stored nor put in the session.
  router.post('/telephonie', async (req, res) => {
    const name = text(req.body, 'name', 200);
    await attempt(res, async () => {
      const created = await createTelephonyKey(ctx.db, name);
      res.status(201);
      await page(req, res, { created: { name: name.trim(), secret: created.secret } });
    }, (error) => page(req, res, { error, values: { name, agent: '', line: '' } }));
  });

  router.post('/telephonie/lignes', async (req, res) => {
    const values = { name: '', agent: text(req.body, 'agent', 64), line: text(req.body, 'line', 64) };
    await attempt(res, async () => {
      await assignPhoneLine(ctx.db, values.agent, values.line);
      const agent = (await agentLines(ctx.db)).find((a) => a.code === values.agent);
      doneTo(req, res, BASE, t('ui.admin.telephony.lineSet', { name: agent?.name ?? values.agent }));
    }, (error) => page(req, res, { lineError: error, values }));
  });

  const keyOf = async (req: Request) => {
    const id = Number(req.params.id);
    return Number.isSafeInteger(id) && id > 0 ? (await telephonyKeys(ctx.db, id))[0] : undefined;
  };

  // Revoking stops the connector: a page asks first (no script needed).
  router.get('/telephonie/:id/revoquer', async (req, res, next) => {
    const key = await keyOf(req);
    if (!key) return next();
    renderAdminPage(ctx, req, res, 'telephony', { title: t('ui.admin.telephony.confirmTitle', { name: key.name }), confirming: key });
  });
  router.post('/telephonie/:id/revoquer', async (req, res, next) => {
    const key = await keyOf(req);
    if (!key) return next();
    await revokeTelephonyKey(ctx.db, key.id);
    doneTo(req, res, BASE, t('ui.admin.telephony.revoked', { name: key.name }));
  });
  return router;
}
