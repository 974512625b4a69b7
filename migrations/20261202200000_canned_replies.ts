import type { Knex } from 'knex';

// Canned replies (« réponses types », issue 14): a title and a body with the French
// placeholders of the e-mail templates ({{nomUsager}}, {{reference}}…), filled for a
// request when an agent picks one while writing to the citizen. A shared reply
// (owner_agent_id null) is the administrators', for one service (service_id) or for all
// (service_id null); a personal one is its owner's alone. They hold no citizen's data:
// the placeholders are filled in the agent's textarea, not here.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('canned_replies', (t) => {
    t.increments('id');
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.integer('service_id').unsigned().nullable().references('services.id');
    t.integer('owner_agent_id').unsigned().nullable().references('agents.id');
    t.integer('updated_by').unsigned().nullable().references('agents.id');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    // An agent's own replies; the shared ones are those whose owner is null.
    t.index(['owner_agent_id', 'title'], 'canned_replies_owner');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('canned_replies');
}
