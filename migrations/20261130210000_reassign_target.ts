import type { Knex } from 'knex';

// A reassignment's event names who acted (agent_id) and now also to whom (target_agent_id),
// so that the history can say « Réattribuée à Bruno Durand par Anne Martin ». For the events
// written before, the target is known only for a request's last change of hands: the
// assignee it still has. Earlier ones keep a null target, and read « Réattribuée par … ».
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('target_agent_id').unsigned().nullable().references('agents.id');
  });
  // Read first, then write: MySQL refuses an UPDATE whose subquery reads the same table.
  const lastHandOvers: { id: number; assignee_id: number }[] = await knex('events as e')
    .join('requests as r', 'r.id', 'e.request_id')
    .where('e.type', 'REASSIGNED')
    .whereNotNull('r.assignee_id')
    .whereNotExists((later) => later.from('events as l')
      .whereRaw('l.request_id = e.request_id')
      .whereRaw('l.seq > e.seq')
      .whereIn('l.type', ['TAKEN', 'REASSIGNED']))
    .select('e.id', 'r.assignee_id');
  const byAssignee = new Map<number, number[]>();
  for (const row of lastHandOvers) {
    byAssignee.set(Number(row.assignee_id), [...(byAssignee.get(Number(row.assignee_id)) ?? []), Number(row.id)]);
  }
  for (const [assignee, ids] of byAssignee) {
    for (let i = 0; i < ids.length; i += 500) {
      await knex('events').whereIn('id', ids.slice(i, i + 500)).update({ target_agent_id: assignee });
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropForeign(['target_agent_id']);
    t.dropColumn('target_agent_id');
  });
}
