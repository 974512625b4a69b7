import type { Knex } from 'knex';

// The form editor's draft: the administrator's changes to a form type's fields, kept in
// the database until they are published as the next version (or abandoned), so that a
// version is what was published and not each click. One draft per form type, shared by
// the administrators (the primary key); `revision` grows at each change, so that a write
// or a publish based on a draft that changed since it was read is refused (compare and set);
// `base_version`, the version it started from, tells a draft from the next one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('form_drafts', (t) => {
    t.integer('form_type_id').unsigned().notNullable().primary().references('form_types.id');
    t.text('fields').notNullable(); // JSON: FieldDefinition[]
    t.integer('base_version').notNullable();
    t.integer('revision').notNullable();
    t.integer('agent_id').unsigned().nullable().references('agents.id'); // who changed it last
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('form_drafts');
}
