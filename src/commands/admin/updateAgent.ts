import { findAgentRow, updateAgentRow } from '../../db/agentAccounts';
import type { Db } from '../../db/connection';
import { existingServiceIds } from '../../db/services';
import { agentIdOf, authorize, type Actor } from '../../policies';
import { invalid, requireText } from './invalid';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * An agent's name, address, services (their rights) and administrator flag. An
 * administrator cannot take their own administrator right away: someone must be left.
 */
export async function updateAgent(
  db: Db,
  actor: Actor,
  props: { id: number; name: string; email: string; serviceIds: number[]; admin: boolean },
): Promise<void> {
  authorize(actor, 'administer');
  const name = requireText(props.name, 'name');
  const email = props.email.trim();
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalid('email', 'email', { value: email });
  }
  if (!(await findAgentRow(db, props.id))) {
    throw invalid('unknownAgent', 'id');
  }
  const known = await existingServiceIds(db, props.serviceIds);
  if (known.length !== new Set(props.serviceIds).size) {
    throw invalid('unknownService', 'services');
  }
  if (props.id === agentIdOf(actor) && !props.admin) {
    throw invalid('ownAdminRight', 'admin');
  }
  await updateAgentRow(db, props.id, { name, email, isAdmin: props.admin }, known);
}
