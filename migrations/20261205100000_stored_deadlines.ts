import type { Knex } from 'knex';

// Each request's next deadline and reminder, stored (src/db/deadlines.ts) and indexed:
// - (group_id, status, due_at): a status of one agent's groups in due order (« En attente »,
//   « Non traitées » by due date), read in index order for one group;
// - (status, due_at, id, group_id): the same for many groups, read in due order (the id
//   breaks ties, as the lists do) and filtered on the group from the index, up to the
//   page's rows (the home page of an agent of every service);
// - (group_id, assignee_id, status, due_at): « Mes dossiers », « En cours », the board;
// - (group_id, remind_at, status, due_at): the late requests (past their reminder), counted;
// - (due_at, id, remind_at, status, group_id): the same listed in due order, read in order
//   from the first due date and filtered from the index, up to the page's rows.
// They replace the indexes that held what the deadline was computed from (20261203400000).
const delay = (column: string) => `(SELECT f.${column} FROM form_types f WHERE f.id = requests.form_type_id)`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.bigInteger('due_at').nullable();
    t.bigInteger('remind_at').nullable();
  });
  await knex('requests').whereNot('status', 'CLOTUREE').update({
    due_at: knex.raw(`CASE status
      WHEN 'NON_TRAITEE' THEN created_at + ${delay('deletion_ms')}
      WHEN 'EN_COURS' THEN COALESCE(status_since, updated_at) + ${delay('in_progress_reminder_ms')}
      WHEN 'EN_ATTENTE' THEN hold_until
      ELSE NULL END`),
    remind_at: knex.raw(`CASE status
      WHEN 'NON_TRAITEE' THEN created_at + ${delay('unprocessed_reminder_ms')}
      WHEN 'EN_COURS' THEN COALESCE(status_since, updated_at) + ${delay('in_progress_reminder_ms')}
      ELSE NULL END`),
  });
  await knex.schema.alterTable('requests', (t) => {
    t.index(['group_id', 'status', 'due_at'], 'requests_group_status_deadline');
    t.index(['status', 'due_at', 'id', 'group_id'], 'requests_status_deadline_group');
    t.index(['group_id', 'assignee_id', 'status', 'due_at'], 'requests_group_assignee_deadline');
    t.index(['group_id', 'remind_at', 'status', 'due_at'], 'requests_group_reminder');
    t.index(['due_at', 'id', 'remind_at', 'status', 'group_id'], 'requests_deadline_order');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex([], 'requests_group_status_due');
    t.dropIndex([], 'requests_group_assignee_due');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['group_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until', 'assignee_id'], 'requests_group_status_due');
    t.index(['group_id', 'assignee_id', 'status', 'form_type_id', 'created_at', 'status_since', 'updated_at', 'hold_until'], 'requests_group_assignee_due');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex([], 'requests_deadline_order');
    t.dropIndex([], 'requests_group_reminder');
    t.dropIndex([], 'requests_group_assignee_deadline');
    t.dropIndex([], 'requests_status_deadline_group');
    t.dropIndex([], 'requests_group_status_deadline');
    t.dropColumn('remind_at');
    t.dropColumn('due_at');
  });
}
