import type { Knex } from 'knex';

// The lists of an agent of many groups (found by `npm run bench -- --only million`, agent of
// 20 services): `group_id IN (…)` over several groups cannot read one group's index in the
// list's order, so each list sorted every matching request (« Du service » 360 ms,
// « Dossiers du groupe » 370 ms, the journal 175 ms at a million requests). These indexes
// start with the sort's columns and the id that breaks ties, as the lists order, and hold
// the status and the group: the list reads them in order, checks the group from the index,
// and stops after its page (about 10 ms). One group's lists keep their own indexes.
const INDEXES: [string, string[]][] = [
  // « Du service », the search: newest or oldest first, over several statuses
  ['requests_created_order', ['created_at', 'id', 'status', 'group_id']],
  // the same over one status (« Non traitées »): replaces (status, created_at), which read
  // each request's group in its row and so lost to the index above, that then read every
  // closed request before the first unprocessed one
  ['requests_status_created_order', ['status', 'created_at', 'id', 'group_id']],
  // « Dossiers du groupe »: priority, then the oldest
  ['requests_priority_order', ['priority', 'created_at', 'id', 'status', 'group_id']],
  // the journal: latest closed first (replaces (status, closed_at, group_id), whose order the id broke)
  ['requests_status_closed_order', ['status', 'closed_at', 'id', 'group_id']],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    for (const [name, columns] of INDEXES) t.index(columns, name);
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex([], 'requests_status_closed_group');
    t.dropIndex([], 'requests_status_created_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['status', 'closed_at', 'group_id'], 'requests_status_closed_group');
    t.index(['status', 'created_at'], 'requests_status_created_at_index');
  });
  await knex.schema.alterTable('requests', (t) => {
    for (const [name] of INDEXES) t.dropIndex([], name);
  });
}
