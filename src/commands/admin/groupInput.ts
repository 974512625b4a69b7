// What the group commands share: finding the group, the agent and the service they name,
// and reading the name, the role and the consultation delay as an administrator types them.
import type { Db } from '../../db/connection';
import { findAgentRowByCode } from '../../db/agents';
import { findGroup, findGroupByName, GROUP_ROLES, type GroupRole, type GroupRow } from '../../db/groups';
import { parseDelay } from '../../durations';
import { t } from '../../i18n';
import { invalid, requireText } from './invalid';

/** A group by id, or by its name (the command line names groups); a 400 when there is none. */
export async function requireGroup(db: Db, idOrName: number | string): Promise<GroupRow> {
  const group = typeof idOrName === 'number' ? await findGroup(db, idOrName) : await findGroupByName(db, idOrName.trim());
  if (!group) {
    throw invalid('unknownGroup', 'group', { value: String(idOrName) });
  }
  return group;
}

/** A group's name: required, unique (`except`: the group being renamed). */
export async function requireGroupName(db: Db, value: string, except?: number): Promise<string> {
  const name = requireText(value, 'name', 120);
  const other = await findGroupByName(db, name);
  if (other && Number(other.id) !== except) {
    throw invalid('nameTaken', 'name', { value: name });
  }
  return name;
}

/** The role as the CLI (agent, dispatcher, supervisor) or the form (AGENT…) gives it. */
export function requireRole(value: string): GroupRole {
  const role = value.trim().toUpperCase();
  const found = GROUP_ROLES.find((r) => r === role);
  if (!found) {
    throw invalid('groupRole', 'role', { value });
  }
  return found;
}

export function requireConsultationDelay(value: string): number {
  const ms = parseDelay(value);
  if (ms === null) {
    throw invalid('delay', 'consultationDelay', { label: t('ui.admin.groups.consultationDelay'), value });
  }
  return ms;
}

export async function requireAgentCode(db: Db, code: string): Promise<{ id: number; name: string }> {
  const agent = await findAgentRowByCode(db, code.trim());
  if (!agent) {
    throw invalid('unknownAgent', 'agent');
  }
  return { id: Number(agent.id), name: agent.name };
}
