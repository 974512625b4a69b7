import type { AgentRow } from './agents';
import { activated } from './activated';
import type { Db } from './connection';

/** How an agent wants the information e-mails about new requests; reminders and deletion notices always go. */
export const NEW_REQUEST_CHOICES = ['IMMEDIATE', 'DIGEST', 'NONE'] as const;
export type NewRequestChoice = (typeof NEW_REQUEST_CHOICES)[number];

export const isNewRequestChoice = (value: string): value is NewRequestChoice =>
  (NEW_REQUEST_CHOICES as readonly string[]).includes(value);

export async function newRequestChoiceOf(db: Db, agentId: number): Promise<NewRequestChoice> {
  const row = await db('agents').where({ id: agentId }).first('new_request_emails');
  const value = String(row?.new_request_emails ?? 'IMMEDIATE');
  return isNewRequestChoice(value) ? value : 'IMMEDIATE';
}

export async function setNewRequestChoice(db: Db, agentId: number, choice: NewRequestChoice): Promise<void> {
  await db('agents').where({ id: agentId }).update({ new_request_emails: choice });
}

/** Whether this agent gets a NEW_REQUEST e-mail at once. */
export const wantsImmediate = (agent: AgentRow): boolean =>
  ((agent as AgentRow & { new_request_emails?: string }).new_request_emails ?? 'IMMEDIATE') === 'IMMEDIATE';

/** The active agents who chose the daily digest (not an account whose activation is pending: see agentsOfGroup). */
export async function digestAgents(db: Db): Promise<AgentRow[]> {
  return db('agents').where({ active: true, new_request_emails: 'DIGEST' }).where(activated()).orderBy('id');
}

/** The new requests of the queues of an agent's groups, filed in [since, until): references and form types only. */
export async function newRequestsFor(db: Db, agentId: number, since: number, until: number): Promise<{ reference: string; form_title: string }[]> {
  return db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .join('agent_groups as x', 'x.group_id', 'r.group_id')
    .where('x.agent_id', agentId)
    .where('r.created_at', '>=', since)
    .where('r.created_at', '<', until)
    .orderBy('r.created_at')
    .select('r.reference', 'f.title as form_title');
}
