import type { Db } from './connection';

/** The milestones of some requests (event type and date, in order): what the journal keeps of them. */
export async function milestonesOf(db: Db, requestIds: number[]): Promise<Map<number, { type: string; at: number }[]>> {
  const rows: { request_id: number; type: string; at: number }[] = requestIds.length
    ? await db('events').whereIn('request_id', requestIds).orderBy(['request_id', 'seq']).select('request_id', 'type', 'at')
    : [];
  const byRequest = new Map<number, { type: string; at: number }[]>();
  for (const r of rows) {
    const list = byRequest.get(r.request_id) ?? [];
    list.push({ type: r.type, at: Number(r.at) });
    byRequest.set(r.request_id, list);
  }
  return byRequest;
}
