import type { Knex } from 'knex';

// Agent assistance (issue 13): a chat room (« salon d'entraide ») per group, for its
// members, and one for all agents. A message's room is its group, or null for « Tous les
// agents »; it may name a request (request_id), shown as a link only to whoever may read it.
// chat_reads keeps, per agent and room (the group's id, 0 for « Tous les agents »: a key
// that can be part of the primary key), the last message they saw: the unread badge counts
// what came after it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_messages', (t) => {
    t.increments('id');
    t.integer('group_id').unsigned().nullable().references('groups.id');
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.text('body').notNullable();
    t.integer('request_id').unsigned().nullable().references('requests.id');
    t.bigInteger('created_at').notNullable();
    // A room's messages in order, and those after an agent's last read one.
    t.index(['group_id', 'id'], 'chat_messages_room');
  });
  await knex.schema.createTable('chat_reads', (t) => {
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.integer('room').unsigned().notNullable();
    t.integer('last_read_message_id').unsigned().notNullable().defaultTo(0);
    t.primary(['agent_id', 'room']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_reads');
  await knex.schema.dropTable('chat_messages');
}
