import type { Db } from './connection';

/** Ends every web session of an agent (sessions hold the agent id in their JSON). */
export async function endSessionsOf(db: Db, agentId: number): Promise<void> {
  const rows: { sid: string; sess: string | object }[] = await db('sessions').select('sid', 'sess');
  const sids = rows
    .filter((r) => {
      const sess = typeof r.sess === 'string' ? (JSON.parse(r.sess) as { agentId?: number }) : (r.sess as { agentId?: number });
      return sess.agentId === agentId;
    })
    .map((r) => r.sid);
  if (sids.length > 0) {
    await db('sessions').whereIn('sid', sids).delete();
  }
}
