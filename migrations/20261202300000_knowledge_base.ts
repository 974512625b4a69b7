import type { Knex } from 'knex';

// The knowledge base (« base de connaissances », issue 14): articles agents read and quote
// while answering. An article has a title, a Markdown body, tags, a service (null: every
// service) and the form types it is about; it may be public (shown to citizens as help on
// its form types' pages). Every save keeps a version (a full copy: who, when, what).
//
// Search ignores accents and case: `search_title` and `search_body` hold the folded text
// (src/search/normalize.ts; the body's copy carries the tags too). MariaDB/MySQL searches
// them with FULLTEXT indexes (the title's own index weighs a title match higher); SQLite
// with an FTS5 table kept beside the article (rowid = the article's id), written by the
// same transaction as the article.
//
// Who may write: administrators, and agents given the « rédacteur » right (agents.kb_editor).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.boolean('kb_editor').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('kb_articles', (t) => {
    t.increments('id');
    t.string('title', 200).notNullable();
    t.text('body', 'mediumtext').notNullable();
    t.integer('service_id').unsigned().nullable().references('services.id');
    t.boolean('is_public').notNullable().defaultTo(false);
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.string('search_title', 200).notNullable();
    t.text('search_body', 'mediumtext').notNullable();
    t.integer('created_by').unsigned().nullable().references('agents.id');
    t.bigInteger('created_at').notNullable();
    t.integer('updated_by').unsigned().nullable().references('agents.id');
    t.bigInteger('updated_at').notNullable();
    t.index(['updated_at'], 'kb_articles_updated');
  });
  await knex.schema.createTable('kb_article_tags', (t) => {
    t.integer('article_id').unsigned().notNullable().references('kb_articles.id');
    t.string('tag', 60).notNullable();
    t.primary(['article_id', 'tag']);
    t.index(['tag'], 'kb_article_tags_tag');
  });
  await knex.schema.createTable('kb_article_form_types', (t) => {
    t.integer('article_id').unsigned().notNullable().references('kb_articles.id');
    t.integer('form_type_id').unsigned().notNullable().references('form_types.id');
    t.primary(['article_id', 'form_type_id']);
    t.index(['form_type_id'], 'kb_article_form_types_form');
  });
  await knex.schema.createTable('kb_article_versions', (t) => {
    t.increments('id');
    t.integer('article_id').unsigned().notNullable().references('kb_articles.id');
    t.integer('version').unsigned().notNullable();
    t.string('title', 200).notNullable();
    t.text('body', 'mediumtext').notNullable();
    // JSON: the tags and form type ids as they were, so that a version says all it held.
    t.text('tags').notNullable();
    t.text('form_type_ids').notNullable();
    t.integer('service_id').unsigned().nullable();
    t.boolean('is_public').notNullable();
    t.string('note', 300).notNullable().defaultTo('');
    t.integer('agent_id').unsigned().nullable().references('agents.id');
    t.bigInteger('created_at').notNullable();
    t.unique(['article_id', 'version'], { indexName: 'kb_article_versions_article' });
  });
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE kb_articles ADD FULLTEXT INDEX kb_articles_ft_title (search_title)');
    await knex.raw('ALTER TABLE kb_articles ADD FULLTEXT INDEX kb_articles_ft_body (search_body)');
    await knex.raw('ALTER TABLE kb_articles ADD FULLTEXT INDEX kb_articles_ft_all (search_title, search_body)');
  } else {
    // The text is folded before it is indexed; unicode61 folds again, harmlessly.
    await knex.raw("CREATE VIRTUAL TABLE kb_articles_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')");
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client !== 'mysql2') {
    await knex.raw('DROP TABLE IF EXISTS kb_articles_fts');
  }
  await knex.schema.dropTable('kb_article_versions');
  await knex.schema.dropTable('kb_article_form_types');
  await knex.schema.dropTable('kb_article_tags');
  await knex.schema.dropTable('kb_articles');
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('kb_editor');
  });
}
