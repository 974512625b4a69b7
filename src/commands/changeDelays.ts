import { WorkflowNotFoundError } from '@temporalio/client';
import type { Delays } from '../../workflows/definitions';
import { delaysChangedSignal, workflowIdOf } from '../../workflows/definitions';
import { delayColumns, delaysOf, findFormType, updateDelays } from '../db/formTypes';
import { openReferencesOf } from '../db/requests';
import type { Ctx } from './context';
import { CommandError } from './errors';

/**
 * Sets a form type's delays and tells every open request of that type, which
 * recomputes its timers at once without restarting.
 */
export async function changeDelays(ctx: Ctx, slug: string, delays: Partial<Delays>): Promise<{ delays: Delays; signalled: number }> {
  const before = await findFormType(ctx.db, slug);
  if (!before) {
    throw CommandError.of(400, 'UNKNOWN_FORM_TYPE', { value: slug }, 'formType');
  }
  const changes = delayColumns(delays);
  if (Object.keys(changes).length > 0) {
    await updateDelays(ctx.db, before.id, changes);
  }
  const after = delaysOf((await findFormType(ctx.db, slug))!);
  const references = await openReferencesOf(ctx.db, before.id);
  let signalled = 0;
  for (const reference of references) {
    try {
      await ctx.client.workflow.getHandle(workflowIdOf(reference)).signal(delaysChangedSignal, after);
      signalled += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        throw err;
      }
    }
  }
  return { delays: after, signalled };
}
