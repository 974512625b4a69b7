// The views of the guide (rubriques de suivi): which requests each lists and counts.
import type { Agent } from '../../db/agents';
import type { Db } from '../../db/connection';
import { countByStatus } from '../../db/requests';
import { countInProgressOf } from '../../db/views';
import type { Status } from '../../../workflows/definitions';

export interface Counts {
  byStatus: Record<string, number>;
  mineInProgress: number;
}

export interface Rubrique {
  /** under /demandes/ */
  slug: string;
  /** key under ui.rubriques in the locale file */
  key: string;
  filter(agent: Agent): { status?: Status; assigneeId?: number };
  count(counts: Counts): number;
}

const open = (c: Counts) => (c.byStatus.NON_TRAITEE ?? 0) + (c.byStatus.EN_COURS ?? 0) + (c.byStatus.EN_ATTENTE ?? 0);

export const RUBRIQUES: readonly Rubrique[] = [
  { slug: 'en-cours', key: 'inProgress', filter: (a) => ({ status: 'EN_COURS', assigneeId: a.id }), count: (c) => c.mineInProgress },
  { slug: 'non-traitees', key: 'unprocessed', filter: () => ({ status: 'NON_TRAITEE' }), count: (c) => c.byStatus.NON_TRAITEE ?? 0 },
  { slug: 'en-attente', key: 'onHold', filter: () => ({ status: 'EN_ATTENTE' }), count: (c) => c.byStatus.EN_ATTENTE ?? 0 },
  { slug: 'du-service', key: 'service', filter: () => ({}), count: open },
];

export async function countsOf(db: Db, agent: Agent): Promise<Counts> {
  const [byStatus, mineInProgress] = await Promise.all([
    countByStatus(db, agent.serviceIds),
    countInProgressOf(db, agent.id, agent.serviceIds),
  ]);
  return { byStatus, mineInProgress };
}
