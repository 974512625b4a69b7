import type { Db } from '../../db/connection';
import { membershipsOf, removeMember } from '../../db/groups';
import { authorize, type Actor } from '../../policies';
import { requireAgentCode, requireGroup } from './groupInput';
import { invalid } from './invalid';

/**
 * Takes an agent out of a group: they no longer see its queue. Not from a service's own
 * group, whose members are the service's agents (take the agent out of the service).
 * The requests they hold stay assigned to them.
 */
export async function removeGroupMember(db: Db, actor: Actor, props: { group: number | string; agent: string }): Promise<string> {
  authorize(actor, 'administer');
  const group = await requireGroup(db, props.group);
  const agent = await requireAgentCode(db, props.agent);
  if (group.follows_service) {
    throw invalid('serviceGroupMembers', 'agent', { group: group.name });
  }
  if (!(await membershipsOf(db, agent.id)).some((m) => m.groupId === Number(group.id))) {
    throw invalid('notMember', 'agent', { name: agent.name, group: group.name });
  }
  await removeMember(db, Number(group.id), agent.id);
  return agent.name;
}
