// The workflow's state (its `state` query) beside the projection's row, field by field,
// to check that the two agree.
import { delaysOf } from '../../src/db/formTypes';
import { stateQuery, workflowIdOf } from '../../workflows/definitions';
import type { Harness } from './harness';
import { requestRow } from './factories';

/** The workflow's whole state, as its query answers it. */
export async function workflowState(h: Harness, reference: string): Promise<Record<string, unknown>> {
  return { ...(await h.ctx.client.workflow.getHandle(workflowIdOf(reference)).query(stateQuery)) };
}

/** Where each field of the workflow's state is kept in the projection (the delays: in the form type). */
const COLUMNS: Record<string, (row: Record<string, unknown>) => unknown> = {
  status: (r) => r.status,
  assigneeId: (r) => (r.assignee_id === null ? null : Number(r.assignee_id)),
  closingCode: (r) => r.closing_code,
  holdUntil: (r) => (r.hold_until === null ? null : Number(r.hold_until)),
  seq: (r) => Number(r.version),
  waitingForCitizen: (r) => Boolean(r.waiting_for_citizen),
  priority: (r) => Number(r.priority),
  groupId: (r) => (r.group_id === null ? null : Number(r.group_id)),
};

/**
 * The projection read as a workflow state with the same fields as `state`. A field of the
 * state that the projection does not keep throws: a new field must be projected, or said
 * here to live elsewhere, before this comparison can pass.
 */
export async function projectedState(h: Harness, reference: string, state: Record<string, unknown>): Promise<Record<string, unknown>> {
  const row = (await requestRow(h, reference)) as unknown as Record<string, unknown>;
  const formType = await h.db('form_types').where({ id: row.form_type_id }).first();
  const projected: Record<string, unknown> = {};
  for (const key of Object.keys(state)) {
    if (key === 'delays') {
      projected.delays = delaysOf(formType);
    } else if (key === 'consultationId') {
      // The consultation the request waits for: its pending row in consultations.
      const pending = await h.db('consultations').where({ request_id: row.id, status: 'PENDING' }).first('id');
      projected.consultationId = pending ? Number(pending.id) : null;
    } else if (COLUMNS[key]) {
      projected[key] = COLUMNS[key](row);
    } else {
      throw new Error(`the workflow state has a field « ${key} » the projection comparison does not know`);
    }
  }
  return projected;
}
