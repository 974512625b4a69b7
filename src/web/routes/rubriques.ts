// The views of the guide (rubriques de suivi): which requests each lists and counts.
import type { Agent } from '../../db/agents';
import type { Db } from '../../db/connection';
import { countByStatus } from '../../db/requests';
import { countInProgressOf } from '../../db/views';
import type { Direction, RequestFilter, Sort } from '../../db/requestSearch';

export interface Counts {
  byStatus: Record<string, number>;
  mineInProgress: number;
}

export interface Rubrique {
  /** under /demandes/ */
  slug: string;
  /** key under ui.rubriques in the locale file */
  key: string;
  /** What the view always shows, before the agent's own filters (the services are added by the caller). */
  filter(agent: Agent): Omit<RequestFilter, 'groupIds'>;
  defaultSort: { sort: Sort; dir: Direction };
  count(counts: Counts): number;
}

const open = (c: Counts) => (c.byStatus.NON_TRAITEE ?? 0) + (c.byStatus.EN_COURS ?? 0) + (c.byStatus.EN_ATTENTE ?? 0);

export const RUBRIQUES: readonly Rubrique[] = [
  {
    slug: 'en-cours', key: 'inProgress', filter: (a) => ({ statuses: ['EN_COURS'], assigneeId: a.id }),
    defaultSort: { sort: 'due', dir: 'asc' }, count: (c) => c.mineInProgress,
  },
  {
    slug: 'non-traitees', key: 'unprocessed', filter: () => ({ statuses: ['NON_TRAITEE'] }),
    defaultSort: { sort: 'date', dir: 'asc' }, count: (c) => c.byStatus.NON_TRAITEE ?? 0,
  },
  {
    slug: 'en-attente', key: 'onHold', filter: () => ({ statuses: ['EN_ATTENTE'] }),
    defaultSort: { sort: 'due', dir: 'asc' }, count: (c) => c.byStatus.EN_ATTENTE ?? 0,
  },
  { slug: 'du-service', key: 'service', filter: () => ({}), defaultSort: { sort: 'date', dir: 'desc' }, count: open },
];

export async function countsOf(db: Db, agent: Agent): Promise<Counts> {
  const [byStatus, mineInProgress] = await Promise.all([
    countByStatus(db, agent.groupIds),
    countInProgressOf(db, agent.id, agent.groupIds),
  ]);
  return { byStatus, mineInProgress };
}
