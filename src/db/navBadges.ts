// The nav's badges beside the queues' counts: the questions asked of the agent's groups, the
// callbacks due for them and the colleagues' messages not read. Every page shows them, so they
// come in one query, as one row of counts: each query costs the web process a socket write and
// its parsing.
import type { Agent } from './agents';
import { dueForCount } from './callbacks';
import { unreadCount } from './chat';
import type { Db } from './connection';
import { pendingConsultationsCount } from './consultations';

export interface NavBadges {
  consultationsPending: number;
  callbacksDue: number;
  chatUnread: number;
}

export async function navBadges(db: Db, agent: Pick<Agent, 'id' | 'groupIds'>): Promise<NavBadges> {
  const row: { consultations: number | string; callbacks: number | string; unread: number | string } = await db.first(
    pendingConsultationsCount(db, agent.groupIds).as('consultations'),
    dueForCount(db, agent).as('callbacks'),
    unreadCount(db, agent.id, agent.groupIds).as('unread'),
  );
  return { consultationsPending: Number(row.consultations), callbacksDue: Number(row.callbacks), chatUnread: Number(row.unread) };
}
