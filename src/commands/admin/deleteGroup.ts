import type { Db } from '../../db/connection';
import { deleteGroupRow, groupUse } from '../../db/groups';
import { authorize, type Actor } from '../../policies';
import { requireGroup } from './groupInput';
import { invalid } from './invalid';

/**
 * Deletes a group nobody files into any more: no request (open or closed: their history
 * names it) and no form type. A service's own group goes only with its service.
 */
export async function deleteGroup(db: Db, actor: Actor, props: { group: number | string }): Promise<string> {
  authorize(actor, 'administer');
  const group = await requireGroup(db, props.group);
  if (group.follows_service) {
    throw invalid('serviceGroupDelete', 'group', { group: group.name });
  }
  const use = await groupUse(db, Number(group.id));
  if (use.requests > 0) {
    throw invalid('groupHasRequests', 'group', { group: group.name, count: use.requests });
  }
  if (use.formTypes > 0) {
    throw invalid('groupHasFormTypes', 'group', { group: group.name, count: use.formTypes });
  }
  await deleteGroupRow(db, Number(group.id));
  return group.name;
}
