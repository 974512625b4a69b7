// What the pages show of callbacks: the request's list (with move and cancel), the form
// to plan one (prefilled after « Pas de réponse »), and the rows of « À rappeler ».
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { dueFor, lastPhoneOf, openCallbacksOf, type CallbackView } from '../../db/callbacks';
import { findPersonal, type RequestRow } from '../../db/requests';
import { displayPhone, normalPhone } from '../../calls/phone';
import { frenchDate, parisIsoDay } from '../../dates';
import { t } from '../../i18n';
import { abilities } from '../../policies';
import { isOverdue } from '../../../workflows/callbacks';

const HOUR = 3600 * 1000;

/** One callback as a row: when, the number (a tel: link), who planned it, its state and whether it is late. */
export function callbackRow(c: CallbackView, now: number) {
  const dueAt = Number(c.due_at);
  return {
    id: c.id,
    reference: c.reference,
    formTitle: c.form_title,
    dueAt,
    phone: displayPhone(c.phone),
    tel: c.phone ?? '',
    by: c.agent_name,
    reassignToMe: Boolean(c.reassign_to_me),
    forAgent: c.status === 'DUE' && dueFor(c) === 'agent',
    state: t(`ui.callbacks.statuses.${c.status}`),
    overdue: isOverdue(c, now),
    moveDate: parisIsoDay(dueAt),
    moveTime: frenchDate(dueAt, 'time'),
  };
}

/** The request's callbacks still to make; each movable and cancellable while the request is open. */
export async function callbacksModel(ctx: Ctx, agent: Agent, request: RequestRow) {
  const rows = await openCallbacksOf(ctx.db, request.id);
  const now = Date.now();
  return { rows: rows.map((c) => callbackRow(c, now)), canAct: abilities(agent, request).callback, minDate: parisIsoDay(now) };
}

/**
 * The form to plan a callback: in an hour by default (on the hour), to the number of the
 * request's last callback or else the citizen's; open when « Pas de réponse » offers it.
 */
export async function callbackFormModel(ctx: Ctx, request: RequestRow, open: boolean) {
  const now = Date.now();
  const inAnHour = Math.ceil((now + HOUR) / HOUR) * HOUR;
  const last = await lastPhoneOf(ctx.db, request.id);
  const citizen = (await findPersonal(ctx.db, request.id))?.phone ?? null;
  return {
    open,
    date: parisIsoDay(inAnHour),
    time: frenchDate(inAnHour, 'time'),
    minDate: parisIsoDay(now),
    phone: displayPhone(last ?? (citizen ? normalPhone(citizen) : null)) || (citizen ?? ''),
  };
}
