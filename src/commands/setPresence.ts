import type { Agent } from '../db/agents';
import { setPresence as writePresence, type Presence } from '../db/presence';
import type { Ctx } from './context';
import type { PresenceProps } from './schemas';

/**
 * An agent says where they are (Disponible, Absent…), from the header of every page, « Mon
 * compte » or the API. Recorded with who set it and when; from now on an absent agent is
 * given no request and gets no e-mail about new ones.
 */
export async function setOwnPresence(ctx: Ctx, agent: Agent, props: PresenceProps): Promise<{ presence: Presence; since: number }> {
  const since = Date.now();
  await writePresence(ctx.db, agent.id, props.presence, agent.id, since);
  return { presence: props.presence, since };
}
