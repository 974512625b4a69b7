import type { Db } from '../../db/connection';
import { updateGroup } from '../../db/groups';
import { authorize, type Actor } from '../../policies';
import { requireGroup, requireGroupName } from './groupInput';

/** A group's new name (by id, or by its current name from the command line). */
export async function renameGroup(db: Db, actor: Actor, props: { group: number | string; name: string }): Promise<string> {
  authorize(actor, 'administer');
  const group = await requireGroup(db, props.group);
  const name = await requireGroupName(db, props.name, Number(group.id));
  await updateGroup(db, Number(group.id), { name });
  return name;
}
