import type { Db } from './connection';
import { activated, isActivated } from './activated';
import { membershipsColumn, membershipsFrom, type Membership } from './groups';
import { presenceOf, type Presence } from './presence';

export interface AgentRow {
  id: number;
  code: string;
  name: string;
  email: string;
  password_hash: string | null;
  is_admin: boolean | number;
  active: boolean | number;
  presence: string;
  presence_since: number | string;
  /** the « rédacteur » right of the knowledge base (absent before its migration) */
  kb_editor?: boolean | number;
  /** their account at the OpenID provider, once they logged in through it (src/accounts/ssoAgent.ts) */
  oidc_issuer: string | null;
  oidc_subject: string | null;
}

export interface Agent {
  id: number;
  code: string;
  name: string;
  email: string;
  isAdmin: boolean;
  serviceIds: number[];
  /** has chosen a password through the activation link (an account an administrator created starts without one) */
  activated: boolean;
  /** Disponible, Absent… (src/db/presence.ts): an absent agent is given no request */
  presence: Presence;
  /** the groups whose queues they see and act on */
  groupIds: number[];
  /** their role in each of those groups */
  memberships: Membership[];
  /** may write articles of the knowledge base (« rédacteur »), for their services and for all */
  kbEditor?: boolean;
}

export async function findAgentRowByCode(db: Db, code: string): Promise<AgentRow | undefined> {
  return db('agents').where({ code }).first();
}

/** An agent's row by id, active or not (a reminder names who it is for; a refusal who holds the request). */
export async function findAgentRow(db: Db, id: number): Promise<AgentRow | undefined> {
  return db('agents').where({ id }).first();
}

/** An agent who may still log in (not deactivated). */
export async function findActiveAgentRow(db: Db, id: number): Promise<AgentRow | undefined> {
  return db('agents').where({ id, active: true }).first();
}

export async function loadAgent(db: Db, id: number): Promise<Agent | undefined> {
  // Every page and every poll loads its agent: one query, its services and groups folded into
  // columns, since each query costs the web process a socket write and its parsing.
  const row: (AgentRow & { service_ids: string | number | null; memberships: string | null }) | undefined = await db('agents as a')
    .where({ 'a.id': id, 'a.active': true })
    .first(
      'a.*',
      db('agent_services as s').whereRaw('?? = ??', ['s.agent_id', 'a.id']).select(db.raw('group_concat(s.service_id)')).as('service_ids'),
      membershipsColumn(db, 'a.id', 'memberships'),
    );
  if (!row) {
    return undefined;
  }
  const memberships = membershipsFrom(row.memberships);
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    email: row.email,
    isAdmin: Boolean(row.is_admin),
    serviceIds: String(row.service_ids ?? '').split(',').filter(Boolean).map(Number).sort((a, b) => a - b),
    activated: isActivated(row),
    presence: presenceOf(row),
    groupIds: memberships.map((m) => m.groupId),
    memberships,
    kbEditor: Boolean(row.kb_editor),
  };
}

/**
 * The agents of the queue a request waits in (its group's members): they get its
 * information and reminder e-mails, and may be given it. Not a deactivated account, nor one not
 * activated yet (no password chosen): neither can open the application.
 */
export async function agentsOfGroup(db: Db, groupId: number | string | null): Promise<AgentRow[]> {
  return db('agents as a')
    .join('agent_groups as g', 'g.agent_id', 'a.id')
    .where({ 'g.group_id': groupId ?? -1, 'a.active': true })
    .where(activated('a.'))
    .select('a.*')
    .orderBy('a.name');
}

export async function agentNames(db: Db, ids: number[]): Promise<Map<number, { code: string; name: string }>> {
  const rows: AgentRow[] = ids.length ? await db('agents').whereIn('id', ids) : [];
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
}
