// What the request panel shows of splits: « Scinder » among « Autres opérations » when the
// agent may split it now, and the links between an original and its two parts.
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import type { RequestRow } from '../../db/requests';
import { splitLinksOf } from '../../db/splits';
import { can } from '../../policies';

export async function splitPanel(ctx: Ctx, agent: Agent, request: RequestRow) {
  return {
    offer: request.status !== 'CLOTUREE' && can(agent, 'split', request),
    ...(await splitLinksOf(ctx.db, request.id)),
  };
}
