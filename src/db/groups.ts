// Groups (« groupes ») and their members: every request waits in one group's queue, and
// an agent sees and acts on the requests of the groups they belong to. A service's own
// group (follows_service) has the service's agents as members, kept in step with
// agent_services; the others are the administrator's.
import type { Knex } from 'knex';
import { activated } from './activated';
import type { Db } from './connection';

export const GROUP_ROLES = ['AGENT', 'DISPATCHER', 'SUPERVISOR'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];
export const isGroupRole = (value: unknown): value is GroupRole => typeof value === 'string' && (GROUP_ROLES as readonly string[]).includes(value);

export interface GroupRow {
  id: number;
  name: string;
  service_id: number | null;
  follows_service: boolean | number;
  consultation_reminder_ms: number | string;
  created_at: number | string;
}

/** An agent's place in a group. */
export interface Membership {
  groupId: number;
  role: GroupRole;
  /** a service's own group; the others are the administrator's (a contact centre's) */
  followsService: boolean;
}

type Conn = Db | Knex.Transaction;

export async function findGroup(db: Conn, id: number): Promise<GroupRow | undefined> {
  return db('groups').where({ id }).first();
}

export async function findGroupByName(db: Conn, name: string): Promise<GroupRow | undefined> {
  return db('groups').where({ name }).first();
}

export async function listGroups(db: Conn): Promise<GroupRow[]> {
  return db('groups').orderBy('name');
}

/** The groups an agent belongs to, with their role in each. */
export async function membershipsOf(db: Conn, agentId: number): Promise<Membership[]> {
  const rows: { group_id: number; role: string; follows_service: boolean | number }[] = await db('agent_groups as m')
    .join('groups as g', 'g.id', 'm.group_id')
    .where({ 'm.agent_id': agentId })
    .orderBy('m.group_id')
    .select('m.group_id', 'm.role', 'g.follows_service');
  return rows.map((r) => membership(r.group_id, r.role, r.follows_service));
}

const membership = (groupId: number | string, role: string, followsService: boolean | number | string): Membership => ({
  groupId: Number(groupId),
  role: isGroupRole(role) ? role : 'AGENT',
  followsService: followsService === true || Number(followsService) === 1,
});

/**
 * An agent's memberships as one column of their row (`group_id:role:follows_service`, comma
 * separated), for `loadAgent`; read back by `membershipsFrom`.
 */
export function membershipsColumn(db: Conn, agentColumn: string, as: string): Knex.QueryBuilder {
  return db('agent_groups as m')
    .join('groups as g', 'g.id', 'm.group_id')
    .whereRaw('?? = ??', ['m.agent_id', agentColumn])
    .select(db.raw("group_concat(concat(m.group_id, ':', m.role, ':', g.follows_service))"))
    .as(as);
}

export function membershipsFrom(column: unknown): Membership[] {
  return String(column ?? '').split(',').filter(Boolean)
    .map((entry) => entry.split(':'))
    .map(([groupId, role, follows]) => membership(groupId, role, follows))
    .sort((a, b) => a.groupId - b.groupId);
}

/** The active, activated agents of a group: who may be given its requests and is told about them. */
export async function membersOf(db: Conn, groupId: number): Promise<{ id: number; code: string; name: string; email: string; presence: string; role: GroupRole }[]> {
  const rows = await db('agents as a')
    .join('agent_groups as g', 'g.agent_id', 'a.id')
    .where({ 'g.group_id': groupId, 'a.active': true })
    .where(activated('a.'))
    .select('a.id', 'a.code', 'a.name', 'a.email', 'a.presence', 'g.role')
    .orderBy('a.name');
  return rows.map((r: { id: number; code: string; name: string; email: string; presence: string; role: string }) => ({ ...r, id: Number(r.id), role: isGroupRole(r.role) ? r.role : 'AGENT' }));
}

/** A service's own group (its form types file into it by default). */
export async function serviceGroupOf(db: Conn, serviceId: number): Promise<GroupRow | undefined> {
  return db('groups').where({ service_id: serviceId, follows_service: true }).first();
}

export async function insertGroup(db: Conn, props: { name: string; serviceId?: number | null; followsService?: boolean; consultationReminderMs?: number }): Promise<number> {
  const [id] = await db('groups').insert({
    name: props.name,
    service_id: props.serviceId ?? null,
    follows_service: props.followsService ?? false,
    ...(props.consultationReminderMs === undefined ? {} : { consultation_reminder_ms: props.consultationReminderMs }),
    created_at: Date.now(),
  });
  return Number(id);
}

export async function updateGroup(db: Conn, id: number, props: { name?: string; serviceId?: number | null; consultationReminderMs?: number }): Promise<void> {
  const columns: Record<string, unknown> = {};
  if (props.name !== undefined) columns.name = props.name;
  if (props.serviceId !== undefined) columns.service_id = props.serviceId;
  if (props.consultationReminderMs !== undefined) columns.consultation_reminder_ms = props.consultationReminderMs;
  if (Object.keys(columns).length) {
    await db('groups').where({ id }).update(columns);
  }
}

/** Makes the agent a member of the group with this role (changes the role of a member). */
export async function setMember(db: Conn, groupId: number, agentId: number, role: GroupRole = 'AGENT'): Promise<void> {
  const updated = await db('agent_groups').where({ group_id: groupId, agent_id: agentId }).update({ role });
  if (!updated) {
    await db('agent_groups').insert({ group_id: groupId, agent_id: agentId, role });
  }
}

export async function removeMember(db: Conn, groupId: number, agentId: number): Promise<void> {
  await db('agent_groups').where({ group_id: groupId, agent_id: agentId }).delete();
}

/**
 * An agent's services changed: their membership of the services' own groups follows (a
 * role given there is kept while they stay).
 */
export async function syncServiceGroups(trx: Conn, agentId: number, serviceIds: readonly number[]): Promise<void> {
  const own: { id: number; service_id: number }[] = await trx('groups').where({ follows_service: true }).select('id', 'service_id');
  const wanted = new Set(own.filter((g) => serviceIds.includes(Number(g.service_id))).map((g) => Number(g.id)));
  const current = new Set((await trx('agent_groups').where({ agent_id: agentId }).whereIn('group_id', own.map((g) => g.id).concat(-1)).pluck('group_id')).map(Number));
  const leave = [...current].filter((id) => !wanted.has(id));
  if (leave.length) {
    await trx('agent_groups').where({ agent_id: agentId }).whereIn('group_id', leave).delete();
  }
  const join = [...wanted].filter((id) => !current.has(id));
  if (join.length) {
    await trx('agent_groups').insert(join.map((groupId) => ({ agent_id: agentId, group_id: groupId, role: 'AGENT' })));
  }
}

/** The number of members and of open requests waiting in each group. */
export async function groupCounts(db: Conn): Promise<Map<number, { members: number; open: number }>> {
  const members: { group_id: number; n: number }[] = await db('agent_groups').groupBy('group_id').select('group_id').count({ n: '*' });
  const open: { group_id: number; n: number }[] = await db('requests').whereNot('status', 'CLOTUREE').whereNotNull('group_id').groupBy('group_id').select('group_id').count({ n: '*' });
  const counts = new Map<number, { members: number; open: number }>();
  for (const m of members) counts.set(Number(m.group_id), { members: Number(m.n), open: 0 });
  for (const o of open) counts.set(Number(o.group_id), { members: counts.get(Number(o.group_id))?.members ?? 0, open: Number(o.n) });
  return counts;
}

/** What still files into a group: its requests (open or closed) and its form types. */
export async function groupUse(db: Conn, groupId: number): Promise<{ requests: number; formTypes: number }> {
  const [requests, formTypes] = await Promise.all([
    db('requests').where({ group_id: groupId }).count({ n: '*' }).first(),
    db('form_types').where({ group_id: groupId }).count({ n: '*' }).first(),
  ]);
  return { requests: Number(requests?.n ?? 0), formTypes: Number(formTypes?.n ?? 0) };
}

/** A group and its memberships, together (the caller has checked that nothing files into it). */
export async function deleteGroupRow(db: Db, groupId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('agent_groups').where({ group_id: groupId }).delete();
    await trx('groups').where({ id: groupId }).delete();
  });
}

/** Every member of a group, active or not, with their role (the administration page). */
export async function membershipList(db: Conn, groupId: number): Promise<{ code: string; name: string; active: boolean; role: GroupRole }[]> {
  const rows: { code: string; name: string; active: boolean | number; role: string }[] = await db('agents as a')
    .join('agent_groups as g', 'g.agent_id', 'a.id')
    .where('g.group_id', groupId)
    .select('a.code', 'a.name', 'a.active', 'g.role')
    .orderBy('a.name');
  return rows.map((r) => ({ code: r.code, name: r.name, active: Boolean(r.active), role: isGroupRole(r.role) ? r.role : 'AGENT' }));
}

/** The active agents, by name: whom an administrator may add to a group. */
export async function activeAgentChoices(db: Conn): Promise<{ code: string; name: string }[]> {
  return db('agents').where({ active: true }).orderBy('name').select('code', 'name');
}
