import type { Db } from '../../db/connection';
import { updateGroup } from '../../db/groups';
import { authorize, type Actor } from '../../policies';
import { requireConsultationDelay, requireGroup } from './groupInput';

/** How long a consultation asked of the group waits before its members are reminded. */
export async function setGroupConsultationDelay(db: Db, actor: Actor, props: { group: number | string; delay: string }): Promise<number> {
  authorize(actor, 'administer');
  const group = await requireGroup(db, props.group);
  const consultationReminderMs = requireConsultationDelay(props.delay);
  await updateGroup(db, Number(group.id), { consultationReminderMs });
  return consultationReminderMs;
}
