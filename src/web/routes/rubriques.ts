// The views of the guide (rubriques de suivi): which requests each lists and counts.
import type { Agent } from '../../db/agents';
import { addCapped } from '../../db/cappedCount';
import type { Db } from '../../db/connection';
import { countOpenOf, inContactCentre } from '../../db/queues';
import { countByStatus } from '../../db/requests';
import { byQueuesStamp } from '../../db/stampedCache';
import { countInProgressOf } from '../../db/views';
import type { Direction, RequestFilter, Sort } from '../../db/requestSearch';
import type { SortColumn } from './listModel';

/** Capped counts (src/db/cappedCount.ts): MORE means « plus de 10 000 ». */
export interface Counts {
  byStatus: Record<string, number>;
  mineInProgress: number;
  /** open and assigned to the agent, any status (« Mes dossiers ») */
  mineOpen: number;
  /** a member of a group the administrator made: a contact-centre agent */
  contactCentre: boolean;
}

export interface Rubrique {
  /** under /demandes/ */
  slug: string;
  /** key under ui.rubriques in the locale file */
  key: string;
  /** What the view always shows, before the agent's own filters (the services are added by the caller). */
  filter(agent: Agent): Omit<RequestFilter, 'groupIds'>;
  defaultSort: { sort: Sort; dir: Direction };
  /** The nav's count; none for the closed requests, which only grow. */
  count?(counts: Counts): number;
  /** Whether the nav offers it (the list answers its URL either way). */
  inNav?(counts: Counts): boolean;
  /** The sortable columns, when not those of the open lists. */
  columns?: SortColumn[];
  /** A list of closed requests: no due date, no bulk action, searched by reference. */
  closed?: boolean;
}

const open = (c: Counts) => addCapped(c.byStatus.NON_TRAITEE ?? 0, c.byStatus.EN_COURS ?? 0, c.byStatus.EN_ATTENTE ?? 0);

/**
 * The contact centre's views (the Athena guide): the queue of my groups, the requests I
 * serve, those I closed. A contact-centre agent sees the group's queue in place of the
 * service's (the same requests: both are the queues of their groups).
 */
export const QUEUE_VIEW = 'du-groupe';
export const CLOSED_BY_ME_VIEW = 'traites-par-moi';

export const RUBRIQUES: readonly Rubrique[] = [
  {
    slug: QUEUE_VIEW, key: 'groupQueue', filter: () => ({}), defaultSort: { sort: 'priority', dir: 'asc' }, count: open,
    inNav: (c) => c.contactCentre,
  },
  {
    slug: 'mes-dossiers', key: 'mine', filter: (a) => ({ assigneeId: a.id }), defaultSort: { sort: 'due', dir: 'asc' }, count: (c) => c.mineOpen,
  },
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
  { slug: 'du-service', key: 'service', filter: () => ({}), defaultSort: { sort: 'date', dir: 'desc' }, count: open, inNav: (c) => !c.contactCentre },
  {
    slug: CLOSED_BY_ME_VIEW, key: 'closedByMe', filter: (a) => ({ statuses: ['CLOTUREE'], closedBy: a.id }),
    defaultSort: { sort: 'closedAt', dir: 'desc' }, closed: true,
    columns: [{ sort: 'name', key: 'citizen' }, { sort: 'formType', key: 'formType' }, { sort: 'group', key: 'group' }, { sort: 'date', key: 'submittedAt' }, { sort: 'closedAt', key: 'closedAt' }],
  },
];

export async function countsOf(db: Db, agent: Agent): Promise<Counts> {
  // Kept until the queues of the agent's groups change (src/db/stampedCache.ts).
  const counted = await byQueuesStamp(db, agent.groupIds, `counts:${agent.id}`, async () => {
    const [byStatus, mineInProgress, mineOpen] = await Promise.all([
      countByStatus(db, agent.groupIds),
      countInProgressOf(db, agent.id, agent.groupIds),
      countOpenOf(db, agent.id, agent.groupIds),
    ]);
    return { byStatus, mineInProgress, mineOpen };
  });
  return { ...counted, contactCentre: inContactCentre(agent) };
}
