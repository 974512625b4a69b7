import type { Agent } from '../db/agents';
import { openRequestsHeldBy } from '../db/assignments';
import { authorize } from '../policies';
import type { Ctx } from './context';
import { CommandError } from './errors';
import { reassign, reassignTarget } from './reassign';
import { release } from './release';

/** Released back to their groups' queues, or handed to a named colleague (their code). */
export type HandOver = { to: null } | { to: string };

export interface ReleaseAllOutcome {
  done: number;
  /** the colleague they went to, when handed over */
  toName: string | null;
  refused: { reference: string; reason: string }[];
}

/**
 * « Libérer tous mes dossiers »: each open request the holder has is released (the
 * release Update) or reassigned to the colleague (reassign, confirmed: the preview was
 * the question), one by one; a request the workflow refuses (closed meanwhile, not in the
 * colleague's group) is reported and the others go on. The holder themselves, or for an
 * absent colleague a dispatcher or supervisor of their groups, or an administrator.
 */
export async function releaseAll(ctx: Ctx, actor: Agent, holder: Agent, how: HandOver): Promise<ReleaseAllOutcome> {
  authorize(actor, 'releaseAllOf', holder);
  const target = how.to === null ? null : await reassignTarget(ctx.db, how.to);
  const outcome: ReleaseAllOutcome = { done: 0, toName: target?.name ?? null, refused: [] };
  for (const request of await openRequestsHeldBy(ctx.db, holder.id)) {
    try {
      await (target ? reassign(ctx, actor, request.reference, { agent: target.code, confirm: true }) : release(ctx, actor, request.reference));
      outcome.done += 1;
    } catch (err) {
      if (!(err instanceof CommandError) || err.status === 503) {
        throw err;
      }
      outcome.refused.push({ reference: request.reference, reason: err.message });
    }
  }
  return outcome;
}
