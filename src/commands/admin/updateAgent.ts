import type { Db } from '../../db/connection';
import { invalid, requireText } from './invalid';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * An agent's name, address, services (their rights) and administrator flag. An
 * administrator cannot take their own administrator right away: someone must be left.
 */
export async function updateAgent(
  db: Db,
  actingAgentId: number,
  props: { id: number; name: string; email: string; serviceIds: number[]; admin: boolean },
): Promise<void> {
  const name = requireText(props.name, 'name');
  const email = props.email.trim();
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalid('email', 'email', { value: email });
  }
  if (!(await db('agents').where({ id: props.id }).first('id'))) {
    throw invalid('unknownAgent', 'id');
  }
  const known: number[] = (await db('services').whereIn('id', props.serviceIds.length ? props.serviceIds : [-1]).pluck('id')).map(Number);
  if (known.length !== new Set(props.serviceIds).size) {
    throw invalid('unknownService', 'services');
  }
  if (props.id === actingAgentId && !props.admin) {
    throw invalid('ownAdminRight', 'admin');
  }
  await db.transaction(async (trx) => {
    await trx('agents').where({ id: props.id }).update({ name, email, is_admin: props.admin });
    await trx('agent_services').where({ agent_id: props.id }).delete();
    if (known.length > 0) {
      await trx('agent_services').insert(known.map((serviceId) => ({ agent_id: props.id, service_id: serviceId })));
    }
  });
}
