import type { Db } from '../../db/connection';
import { findAgentRow } from '../../db/agents';
import { authorize, type Actor } from '../../policies';
import { CommandError } from '../errors';

/** Gives an agent the « rédacteur » right of the knowledge base, or takes it back: administrators (and the operator). */
export async function setKbEditor(db: Db, actor: Actor, props: { id: number; editor: boolean }): Promise<void> {
  authorize(actor, 'administer');
  if (!(await findAgentRow(db, props.id))) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  await db('agents').where({ id: props.id }).update({ kb_editor: props.editor });
}
