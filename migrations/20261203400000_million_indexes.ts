import type { Knex } from 'knex';

// Found by `npm run bench -- --only million` (1 000 000 requests on MariaDB):
// - every page and every poll asks for its queues' stamp (src/db/changes.ts): the latest
//   updated_at of each group, and the latest transfer out of each, one index entry each;
// - the journal's first page (closed requests by closing date, newest first) reads this
//   index backwards and stops after its page, for one group as for twenty, instead of
//   sorting every closed request of the groups (400 000 for an agent of every service);
// - the lists sorted by due date (« En attente », « En cours », the home page's short
//   lists) sort the rows of one status from an index that holds what the due date is made
//   of, instead of reading each request's row.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['group_id', 'updated_at'], 'requests_group_updated');
    t.index(['status', 'closed_at', 'group_id'], 'requests_status_closed_group');
    t.index(['group_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until', 'assignee_id'], 'requests_group_status_due');
    // The same for one agent's requests (« En cours », « Mes dossiers »): it replaces the
    // (group_id, assignee_id, status) index of the board, which reads its prefix alike.
    t.index(['group_id', 'assignee_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until'], 'requests_group_assignee_due');
    t.dropIndex(['group_id', 'assignee_id', 'status'], 'requests_group_assignee');
  });
  await knex.schema.alterTable('events', (t) => {
    t.index(['source_group_id', 'at'], 'events_source_group_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['source_group_id', 'at'], 'events_source_group_at');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.index(['group_id', 'assignee_id', 'status'], 'requests_group_assignee');
    t.dropIndex(['group_id', 'assignee_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until'], 'requests_group_assignee_due');
    t.dropIndex(['group_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until', 'assignee_id'], 'requests_group_status_due');
    t.dropIndex(['status', 'closed_at', 'group_id'], 'requests_status_closed_group');
    t.dropIndex(['group_id', 'updated_at'], 'requests_group_updated');
  });
}
