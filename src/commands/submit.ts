import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Db } from '../db/connection';
import { delaysOf, findFormType, findFormTypeById } from '../db/formTypes';
import { deleteRequest, insertRequest, type Channel, type Citizen } from '../db/requests';
import { workflowIdOf } from '../../workflows/definitions';
import { requestWorkflow } from '../../workflows/request';
import type { Ctx } from './context';
import { CommandError } from './errors';

export interface SubmitProps {
  /** slug of the form type */
  formType: string;
  citizen: Citizen;
  /** the form's answers, as the citizen gave them */
  answers: Record<string, unknown>;
  /** how it reached us; web when not said */
  channel?: Channel;
}

/**
 * Files a new request: its rows, then its workflow. If the workflow cannot be started
 * the rows are removed again, so a request either exists whole or not at all.
 */
export async function submit(ctx: Ctx, props: SubmitProps): Promise<{ reference: string; trackingCode: string; status: 'NON_TRAITEE' }> {
  const formType = await findFormType(ctx.db, props.formType);
  if (!formType) {
    throw CommandError.of(400, 'UNKNOWN_FORM_TYPE', { value: props.formType }, 'formType');
  }
  const now = Date.now();
  const { id, reference, trackingCode } = await insertRequest(ctx.db, {
    prefix: ctx.config.referencePrefix,
    formTypeId: formType.id,
    serviceId: formType.service_id,
    citizen: props.citizen,
    answers: props.answers,
    channel: props.channel ?? 'web',
    now,
  });
  try {
    await startWorkflow(ctx, { id, reference, createdAt: now, delays: delaysOf(formType) });
  } catch (err) {
    await deleteRequest(ctx.db, id);
    throw new CommandError(503, 'UNAVAILABLE', `${CommandError.of(503, 'UNAVAILABLE').message} (${(err as Error).message})`);
  }
  return { reference, trackingCode, status: 'NON_TRAITEE' };
}

async function startWorkflow(ctx: Ctx, r: { id: number; reference: string; createdAt: number; delays: ReturnType<typeof delaysOf> }): Promise<void> {
  try {
    await ctx.client.workflow.start(requestWorkflow, {
      workflowId: workflowIdOf(r.reference),
      taskQueue: ctx.config.taskQueue,
      args: [{ requestId: r.id, reference: r.reference, submittedAt: r.createdAt, delays: r.delays }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      throw err;
    }
  }
  await ctx.db('requests').where({ id: r.id }).update({ workflow_started: true });
}

/**
 * Starts the workflows of requests whose filing process died between writing them and
 * starting their workflow (older than `graceMs`, so that intakes in progress are left alone).
 */
export async function startPendingWorkflows(ctx: Ctx, graceMs = 60_000): Promise<number> {
  const pending: { id: number; reference: string; created_at: number; form_type_id: number }[] = await pendingIntakes(ctx.db, Date.now() - graceMs);
  for (const r of pending) {
    const formType = (await findFormTypeById(ctx.db, r.form_type_id))!;
    await startWorkflow(ctx, { id: r.id, reference: r.reference, createdAt: Number(r.created_at), delays: delaysOf(formType) });
  }
  return pending.length;
}

function pendingIntakes(db: Db, before: number) {
  return db('requests').where({ workflow_started: false }).where('created_at', '<', before).select('id', 'reference', 'created_at', 'form_type_id').limit(1000);
}
