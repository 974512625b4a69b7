import type { Db } from '../../db/connection';
import { membershipsOf, setMember, type GroupRole } from '../../db/groups';
import { authorize, type Actor } from '../../policies';
import { requireAgentCode, requireGroup, requireRole } from './groupInput';
import { invalid } from './invalid';

/**
 * Adds an agent to a group with a role, or changes the role of a member. A service's own
 * group has the service's agents for members: there only the roles change, membership
 * follows the agent's services (the agent's page).
 */
export async function setGroupMember(db: Db, actor: Actor, props: { group: number | string; agent: string; role?: string }): Promise<{ role: GroupRole; name: string; added: boolean }> {
  authorize(actor, 'administer');
  const group = await requireGroup(db, props.group);
  const agent = await requireAgentCode(db, props.agent);
  const role = requireRole(props.role?.trim() || 'AGENT');
  const member = (await membershipsOf(db, agent.id)).some((m) => m.groupId === Number(group.id));
  if (!member && group.follows_service) {
    throw invalid('serviceGroupMembers', 'agent', { group: group.name });
  }
  await setMember(db, Number(group.id), agent.id, role);
  return { role, name: agent.name, added: !member };
}
