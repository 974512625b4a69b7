import type { AgentRow } from '../../db/agents';
import { PRESENCES, presenceOf, type Presence } from '../../db/presence';
import { t } from '../../i18n';

/** A presence in words: « Disponible », « Absent »… */
export const presenceLabel = (presence: Presence): string => t(`ui.presence.values.${presence}`);

/** « Bruno Durand », or « Bruno Durand (Pause) » when the agent is not available: where a colleague is chosen. */
export function namedWithPresence(agent: Pick<AgentRow, 'name' | 'presence'>): string {
  const presence = presenceOf(agent);
  return presence === 'DISPONIBLE' ? agent.name : t('ui.presence.named', { name: agent.name, presence: presenceLabel(presence) });
}

/** What the header's presence control (views/partials/presenceControl.hbs) shows: the choices, the current one selected. */
export function presenceControl(current: Presence, here: string) {
  return {
    current,
    label: presenceLabel(current),
    here,
    choices: PRESENCES.map((value) => ({ value, label: presenceLabel(value), selected: value === current })),
  };
}
