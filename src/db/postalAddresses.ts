import type { Db } from './connection';
import { inGroups } from './scope';

export interface PostalAddressRow {
  id: number;
  reference: string;
  /** null once the request's personal data is purged */
  first_name: string | null;
  last_name: string | null;
  address: string | null;
}

/**
 * The citizens' names and postal addresses of these requests, among those of the
 * services given; other ids are left out as if they had not been asked for. In the
 * order of `ids`.
 */
export async function postalAddressesOf(db: Db, ids: number[], groupIds: readonly number[]): Promise<PostalAddressRow[]> {
  const rows: PostalAddressRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const q = db('requests as r')
      .leftJoin('request_personal as p', 'p.request_id', 'r.id')
      .whereIn('r.id', ids.slice(i, i + 500))
      .select('r.id', 'r.reference', 'p.first_name', 'p.last_name', 'p.address');
    rows.push(...await inGroups(q, 'r.group_id', groupIds));
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!);
}
