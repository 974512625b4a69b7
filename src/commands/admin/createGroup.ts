import type { Db } from '../../db/connection';
import { insertGroup } from '../../db/groups';
import { findService, servicesWithSlugs } from '../../db/services';
import { authorize, type Actor } from '../../policies';
import { requireConsultationDelay, requireGroupName } from './groupInput';
import { invalid } from './invalid';

/**
 * A group managed by the administrator (a front desk, a language or an experts' group):
 * inside a service (by id from the form, by slug from the command line) or across
 * services (none). Its members are added one by one.
 */
export async function createGroup(db: Db, actor: Actor, props: { name: string; service?: number | string | null; consultationDelay?: string }): Promise<number> {
  authorize(actor, 'administer');
  const name = await requireGroupName(db, props.name);
  const serviceId = await serviceIdOf(db, props.service);
  const consultationReminderMs = props.consultationDelay?.trim() ? requireConsultationDelay(props.consultationDelay) : undefined;
  return insertGroup(db, { name, serviceId, consultationReminderMs });
}

async function serviceIdOf(db: Db, service: number | string | null | undefined): Promise<number | null> {
  if (service === undefined || service === null || service === '' || service === 0) {
    return null;
  }
  const found = typeof service === 'number' ? await findService(db, service) : (await servicesWithSlugs(db, [service]))[0];
  if (!found) {
    throw invalid('unknownService', 'service');
  }
  return Number(found.id);
}
