import { PRIORITIES, rankOf, type Priority, type PriorityRank } from '../../../workflows/definitions';
import type { Db } from '../../db/connection';
import { findFormType, setDefaultPriorityRow } from '../../db/formTypes';
import { authorize, type Actor } from '../../policies';
import { invalid } from './invalid';

/** The rank of a priority an administrator typed or chose (haute, moyenne, basse), or a 400 on `field`. */
export function requirePriority(value: string, field: string): PriorityRank {
  const name = value.trim().toLowerCase();
  if (!(PRIORITIES as readonly string[]).includes(name)) {
    throw invalid('priority', field, { value });
  }
  return rankOf(name as Priority);
}

/**
 * The priority a form type's new requests are filed with (`npx guichet form-type priority`).
 * The requests already filed keep theirs: an agent changes those one by one.
 */
export async function setDefaultPriority(db: Db, actor: Actor, slug: string, priority: string): Promise<PriorityRank> {
  authorize(actor, 'administer');
  const formType = await findFormType(db, slug);
  if (!formType) {
    throw invalid('unknownFormType', 'slug');
  }
  const rank = requirePriority(priority, 'defaultPriority');
  await setDefaultPriorityRow(db, formType.id, rank);
  return rank;
}
