import { WorkflowIdReusePolicy } from '@temporalio/client';
import { delaysOf, findFormType } from '../db/formTypes';
import { deleteRequest, insertRequest, type Citizen } from '../db/requests';
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
    now,
  });
  try {
    await ctx.client.workflow.start(requestWorkflow, {
      workflowId: workflowIdOf(reference),
      taskQueue: ctx.config.taskQueue,
      args: [{ requestId: id, reference, submittedAt: now, delays: delaysOf(formType) }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    await deleteRequest(ctx.db, id);
    throw new CommandError(503, 'UNAVAILABLE', `${CommandError.of(503, 'UNAVAILABLE').message} (${(err as Error).message})`);
  }
  return { reference, trackingCode, status: 'NON_TRAITEE' };
}
