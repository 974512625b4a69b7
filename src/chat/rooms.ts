// The rooms of agent assistance an agent may enter: « Tous les agents », then each of their
// groups. In URLs a room is « tous » or its group's id.
import type { Agent } from '../db/agents';
import { ALL_AGENTS, roomKey, type RoomId } from '../db/chat';
import type { Db } from '../db/connection';
import { findGroup } from '../db/groups';
import { CommandError } from '../commands/errors';
import { t } from '../i18n';
import { authorize } from '../policies';

export interface Room {
  id: RoomId;
  /** its key in chat_reads: the group's id, 0 for « Tous les agents » */
  key: number;
  /** its name in URLs */
  slug: string;
  name: string;
}

const ALL_SLUG = 'tous';

const allAgentsRoom = (): Room => ({ id: ALL_AGENTS, key: 0, slug: ALL_SLUG, name: t('ui.chat.allAgents') });

const groupRoom = (group: { id: number; name: string }): Room => ({ id: group.id, key: roomKey(group.id), slug: String(group.id), name: group.name });

/** The rooms the agent belongs to, « Tous les agents » first, then their groups by name. */
export async function roomsOf(db: Db, agent: Agent): Promise<Room[]> {
  const groups: { id: number; name: string }[] = agent.groupIds.length ? await db('groups').whereIn('id', agent.groupIds).select('id', 'name') : [];
  // In French order whatever the database's collation (« État civil » before « Urbanisme »).
  groups.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  return [allAgentsRoom(), ...groups.map((g) => groupRoom({ id: Number(g.id), name: g.name }))];
}

/** The room named in a URL, if the agent may enter it; any other is « not found » (a group's room to a non-member too). */
export async function openRoom(db: Db, agent: Agent, slug: string): Promise<Room> {
  if (slug === ALL_SLUG) {
    return allAgentsRoom();
  }
  const id = /^[1-9]\d{0,9}$/.test(slug) ? Number(slug) : NaN;
  const group = Number.isSafeInteger(id) ? await findGroup(db, id) : undefined;
  if (!group) {
    throw CommandError.of(404, 'CHAT_ROOM_NOT_FOUND');
  }
  authorize(agent, 'chat', { group_id: Number(group.id) });
  return groupRoom({ id: Number(group.id), name: group.name });
}
