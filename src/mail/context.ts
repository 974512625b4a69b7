import type { Db } from '../db/connection';
import type { AgentRow } from '../db/agents';
import { findFormTypeById } from '../db/formTypes';
import { findPersonal, type RequestRow } from '../db/requests';

export const MUNICIPALITY = 'Mairie de Guichet-sur-Mer';

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
export const formatDate = (ms: number | null | undefined): string => (ms ? dateFormat.format(new Date(Number(ms))) : '');

/** What e-mail templates may print about a request, for one recipient. */
export async function emailContext(
  db: Db,
  request: RequestRow,
  publicUrl: string,
  recipient: AgentRow | null,
): Promise<Record<string, unknown>> {
  const personal = await findPersonal(db, request.id);
  const formType = await findFormTypeById(db, request.form_type_id);
  const closing = request.closing_code
    ? await db('closing_codes').where({ code: request.closing_code }).first('label')
    : undefined;
  const lastReassign = await db('events as e')
    .join('agents as a', 'a.id', 'e.agent_id')
    .where({ 'e.request_id': request.id, 'e.type': 'REASSIGNED' })
    .orderBy('e.seq', 'desc')
    .first('a.name');
  const inProgressSince = await db('events')
    .where({ request_id: request.id })
    .whereIn('type', ['TAKEN', 'RESUMED', 'HOLD_ENDED'])
    .max({ at: 'at' })
    .first();
  return {
    municipality: MUNICIPALITY,
    reference: request.reference,
    trackingCode: request.tracking_code,
    formTitle: request.form_type_title,
    serviceName: request.service_name,
    citizenName: personal ? `${personal.first_name} ${personal.last_name}` : '',
    agentName: recipient?.name ?? request.assignee_name ?? '',
    actorName: lastReassign?.name ?? '',
    closingLabel: closing?.label ?? '',
    submittedAt: formatDate(request.created_at),
    inProgressSince: formatDate(inProgressSince?.at),
    deletionDate: formType ? formatDate(Number(request.created_at) + Number(formType.deletion_ms)) : '',
    requestUrl: `${publicUrl}/demandes/${request.reference}`,
    trackingUrl: `${publicUrl}/suivi?code=${request.tracking_code}`,
  };
}
