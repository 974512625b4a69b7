import type { Knex } from 'knex';

// Groups and queues (issue 13). A group (« groupe ») gathers agents inside or across
// services: a front desk, a language group, an experts' group. Every request waits in
// exactly one group's queue; who may see and act on it follows that group.
//
// Each service gets its own group, named after it, whose members are the service's agents
// (`service_id` set and `follows_service`: membership follows agent_services). Its form
// types file into it and its requests are in its queue, so that nothing changes for a
// town hall that does not use groups. Other groups have `follows_service` false and are
// managed by the administrator; `service_id` then only says which service they belong to
// (null: across services).
//
// A member's role in a group: AGENT, DISPATCHER (assigns the group's requests to its
// members) or SUPERVISOR (the group's board, and what a dispatcher may do).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('groups', (t) => {
    t.increments('id');
    t.string('name', 120).notNullable().unique();
    t.integer('service_id').unsigned().nullable().references('services.id');
    t.boolean('follows_service').notNullable().defaultTo(false);
    // How long a consultation asked of this group waits before its members are reminded.
    t.bigInteger('consultation_reminder_ms').notNullable().defaultTo(2 * 24 * 3600 * 1000);
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('agent_groups', (t) => {
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.integer('group_id').unsigned().notNullable().references('groups.id');
    t.string('role', 16).notNullable().defaultTo('AGENT');
    t.primary(['agent_id', 'group_id']);
    t.index(['group_id']);
  });
  await knex.schema.alterTable('form_types', (t) => {
    t.integer('group_id').unsigned().nullable().references('groups.id');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.integer('group_id').unsigned().nullable().references('groups.id');
  });
  await knex.schema.alterTable('events', (t) => {
    // a transfer (« Assigner à un autre groupe »): where the request went, and from where
    t.integer('target_group_id').unsigned().nullable();
    t.integer('source_group_id').unsigned().nullable();
  });

  const now = Date.now();
  const services: { id: number; name: string }[] = await knex('services').select('id', 'name');
  for (const service of services) {
    const [groupId] = await knex('groups').insert({ name: service.name, service_id: service.id, follows_service: true, created_at: now });
    const members: { agent_id: number }[] = await knex('agent_services').where({ service_id: service.id }).select('agent_id');
    if (members.length) {
      await knex('agent_groups').insert(members.map((m) => ({ agent_id: m.agent_id, group_id: Number(groupId), role: 'AGENT' })));
    }
    await knex('form_types').where({ service_id: service.id }).update({ group_id: Number(groupId) });
    await knex('requests').where({ service_id: service.id }).update({ group_id: Number(groupId) });
  }
  // The queues: the open requests of a group, by status, priority and age; an agent's own.
  await knex.schema.alterTable('requests', (t) => {
    t.index(['group_id', 'status', 'priority', 'created_at'], 'requests_group_status_priority');
    t.index(['group_id', 'assignee_id', 'status'], 'requests_group_assignee');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['group_id', 'status', 'priority', 'created_at'], 'requests_group_status_priority');
    t.dropIndex(['group_id', 'assignee_id', 'status'], 'requests_group_assignee');
  });
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('target_group_id');
    t.dropColumn('source_group_id');
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropForeign(['group_id']);
    t.dropColumn('group_id');
  });
  await knex.schema.alterTable('form_types', (t) => {
    t.dropForeign(['group_id']);
    t.dropColumn('group_id');
  });
  await knex.schema.dropTable('agent_groups');
  await knex.schema.dropTable('groups');
}
