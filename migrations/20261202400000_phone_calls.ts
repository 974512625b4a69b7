import type { Knex } from 'knex';

// The telephone (issue 14): the calls a telephony connector reports
// (`POST /api/telephonie/appels`), so that the answering agent's open page shows the
// caller's file, and the call is recorded on a request when it ends.
// - phone_calls: one row per call of a connector's key (its own `call_id`); `caller` is the
//   number in E.164, personal data: emptied when the agent closes the call's panel, when a
//   request it was recorded on is purged, and a day after the call at the latest.
//   `open_request_id` is the request page the agent had open during the call (what the
//   page's poller saw), `request_id` the request the call was recorded on.
// - agents.phone_line: the line (extension) a connector may name instead of the agent.
// - events.call_seconds: the duration of an APPEL_TELEPHONIQUE event recorded by the connector.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('phone_calls', (t) => {
    t.increments('id');
    t.integer('token_id').unsigned().notNullable().references('api_tokens.id');
    t.string('call_id', 128).notNullable();
    t.integer('agent_id').unsigned().notNullable().references('agents.id');
    t.string('caller', 32).nullable();
    t.string('status', 16).notNullable(); // RINGING | ANSWERED | ENDED
    t.bigInteger('ringing_at').nullable();
    t.bigInteger('answered_at').nullable();
    t.bigInteger('ended_at').nullable();
    t.integer('open_request_id').unsigned().nullable().references('requests.id');
    t.integer('request_id').unsigned().nullable().references('requests.id');
    t.bigInteger('closed_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['token_id', 'call_id'], { indexName: 'phone_calls_call' });
    // The panel's poller: the agent's latest call, every second.
    t.index(['agent_id', 'id'], 'phone_calls_agent');
    t.index(['request_id'], 'phone_calls_request');
    t.index(['open_request_id'], 'phone_calls_open_request');
    t.index(['created_at'], 'phone_calls_created');
  });
  await knex.schema.alterTable('agents', (t) => {
    t.string('phone_line', 32).nullable();
    t.unique(['phone_line'], { indexName: 'agents_phone_line' });
  });
  await knex.schema.alterTable('events', (t) => {
    t.integer('call_seconds').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('call_seconds');
  });
  await knex.schema.alterTable('agents', (t) => {
    t.dropUnique(['phone_line'], 'agents_phone_line');
    t.dropColumn('phone_line');
  });
  await knex.schema.dropTable('phone_calls');
}
