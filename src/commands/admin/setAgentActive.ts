import type { Db } from '../../db/connection';
import { invalid } from './invalid';

/**
 * Deactivates or reactivates an agent. A deactivated agent's session stops working at
 * their next click (the session's agent is loaded only while active) and their API
 * tokens are refused; their name stays on the requests they handled.
 */
export async function setAgentActive(db: Db, actingAgentId: number, props: { id: number; active: boolean }): Promise<void> {
  if (!(await db('agents').where({ id: props.id }).first('id'))) {
    throw invalid('unknownAgent', 'id');
  }
  if (props.id === actingAgentId && !props.active) {
    throw invalid('deactivateSelf', 'id');
  }
  await db('agents').where({ id: props.id }).update({ active: props.active });
}
