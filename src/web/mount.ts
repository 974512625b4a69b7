import type express from 'express';
import type { Ctx } from '../commands/context';

/** Mounts each router, in order: the first that answers a path wins. */
export function mountAll(router: express.Router, ctx: Ctx, routers: ((ctx: Ctx) => express.Router)[]): void {
  for (const routes of routers) {
    router.use(routes(ctx));
  }
}
