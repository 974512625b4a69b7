import type { Knex } from 'knex';

// The citizens' tracking pages (lookups by code, the reply form, downloads) counted per
// client address, by rate-limiter-flexible, in the database so that every web process
// shares the count.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tracking_attempts', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tracking_attempts');
}
