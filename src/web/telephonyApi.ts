// The telephony connector's endpoint (as Publik's generic one): a telephone system reports
// each call of an agent's line with its own key (kind « telephony », `gtk_…`), which
// authenticates nothing else. The contract is in the README and the OpenAPI document.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Ctx } from '../commands/context';
import { reportCall } from '../commands/reportCall';
import { parseInput, phoneEventSchema } from '../commands/schemas';
import { authorize } from '../policies';
import { actorOf, bearer, telephonyOf } from './auth';

export function telephonyApiRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const connector = bearer(ctx.db, ['telephony']);
  router.post('/telephonie/appels', connector, (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      authorize(actorOf(req), 'reportCall');
      res.json(await reportCall(ctx, telephonyOf(req).tokenId, parseInput(phoneEventSchema, req.body)));
    })().catch(next);
  });
  return router;
}
