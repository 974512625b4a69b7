import type { Db } from '../db/connection';
import type { AgentRow } from '../db/agents';
import { findFormTypeById } from '../db/formTypes';
import { inProgressSince, lastReassignerName } from '../db/events';
import { findPersonal, type RequestRow } from '../db/requests';
import { closingLabel } from '../db/views';
import { frenchDate } from '../dates';
import { unshared, type Memo } from './memo';

export const MUNICIPALITY = 'Mairie de Guichet-sur-Mer';


/** The memo's key of a request's personal data, for a caller that has read it already. */
export const personalKey = (requestId: number): string => `personal:${requestId}`;

/** What e-mail templates may print about a request, for one recipient. */
export async function emailContext(
  db: Db,
  request: RequestRow,
  publicUrl: string,
  recipient: AgentRow | null,
  memo: Memo = unshared,
): Promise<Record<string, unknown>> {
  return forRecipient(await requestContext(db, request, publicUrl, memo), request, recipient);
}

/** What e-mail templates may print about a request, the same for every recipient. */
export async function requestContext(db: Db, request: RequestRow, publicUrl: string, memo: Memo = unshared): Promise<Record<string, unknown>> {
  const personal = await memo(personalKey(request.id), () => findPersonal(db, request.id));
  const formType = await memo(`formType:${request.form_type_id}`, () => findFormTypeById(db, request.form_type_id));
  const closing = await memo(`closing:${request.closing_code}`, () => closingLabel(db, request.closing_code));
  const reassignedBy = await lastReassignerName(db, request.id);
  const since = await inProgressSince(db, request.id);
  return {
    municipality: MUNICIPALITY,
    reference: request.reference,
    trackingCode: request.tracking_code,
    formTitle: request.form_type_title,
    serviceName: request.service_name,
    citizenName: personal ? `${personal.first_name} ${personal.last_name}` : '',
    assigneeName: request.assignee_name ?? '',
    actorName: reassignedBy ?? '',
    closingLabel: closing ?? '',
    submittedAt: frenchDate(request.created_at),
    inProgressSince: frenchDate(since),
    deletionDate: formType ? frenchDate(Number(request.created_at) + Number(formType.deletion_ms)) : '',
    requestUrl: `${publicUrl}/demandes/${request.reference}`,
    trackingUrl: `${publicUrl}/suivi?code=${request.tracking_code}`,
  };
}

/** The request's context, addressed to one recipient. */
export function forRecipient(context: Record<string, unknown>, request: RequestRow, recipient: AgentRow | null): Record<string, unknown> {
  return { ...context, agentName: recipient?.name ?? request.assignee_name ?? '' };
}
