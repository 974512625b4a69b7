import crypto from 'node:crypto';
import type { Knex } from 'knex';

// Citizens' files are opened by a random public id, not by their sequential id: an URL
// says nothing of how many files exist and leads to no neighbour. Existing files get one,
// made as src/db/citizens.ts makes them (96 random bits, base64url).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    // Nullable only for the backfill below; every file made since has one (createCitizen).
    t.string('public_id', 32).nullable().unique();
  });
  const ids: { id: number }[] = await knex('citizens').whereNull('public_id').select('id');
  for (const { id } of ids) {
    await knex('citizens').where({ id }).update({ public_id: crypto.randomBytes(12).toString('base64url') });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('citizens', (t) => {
    t.dropUnique(['public_id']);
    t.dropColumn('public_id');
  });
}
