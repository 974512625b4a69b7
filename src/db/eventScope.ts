// Each event carries its request's service, form type and group (migration
// 20261206100000), so that the statistics count a period's holds and calls from the events'
// index alone, without a lookup of each one's request. The group stays the request's
// current one, as the requests' own figures count by it: a transfer moves the request's
// past events with it.
import type { Knex } from 'knex';
import type { Db } from './connection';

export interface EventScope {
  service_id: number;
  form_type_id: number;
  group_id: number | null;
}

/** The scope a new event of the request carries (its request's as it is now), and the request's version. */
export async function scopeOfRequest(db: Db | Knex.Transaction, requestId: number): Promise<EventScope & { version: number }> {
  const row: EventScope & { version: number } = await db('requests').where({ id: requestId }).first('service_id', 'form_type_id', 'group_id', 'version');
  return { service_id: row.service_id, form_type_id: row.form_type_id, group_id: row.group_id, version: Number(row.version) };
}

/** The request's events follow it to its new group. */
export async function moveEvents(trx: Knex.Transaction, requestId: number, groupId: number | null): Promise<void> {
  await trx('events').where({ request_id: requestId }).update({ group_id: groupId });
}
