import { findAgentRow, setAgentActiveFlag } from '../../db/agentAccounts';
import type { Db } from '../../db/connection';
import { agentIdOf, authorize, type Actor } from '../../policies';
import { invalid } from './invalid';

/**
 * Deactivates or reactivates an agent. A deactivated agent's session stops working at
 * their next click (the session's agent is loaded only while active) and their API
 * tokens are refused; their name stays on the requests they handled.
 */
export async function setAgentActive(db: Db, actor: Actor, props: { id: number; active: boolean }): Promise<void> {
  authorize(actor, 'administer');
  if (!(await findAgentRow(db, props.id))) {
    throw invalid('unknownAgent', 'id');
  }
  if (props.id === agentIdOf(actor) && !props.active) {
    throw invalid('deactivateSelf', 'id');
  }
  await setAgentActiveFlag(db, props.id, props.active);
}
