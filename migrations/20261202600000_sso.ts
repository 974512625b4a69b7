import type { Knex } from 'knex';

// Single sign-on (issue 15): the identity an agent has at the municipality's OpenID
// provider, stored at their first login through it (matched then by verified e-mail).
// A subject is unique within its issuer only, hence the pair; the issuer is kept so that a
// change of provider matches agents by e-mail again instead of trusting an old subject.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.string('oidc_issuer', 255).nullable();
    t.string('oidc_subject', 255).nullable();
    t.unique(['oidc_issuer', 'oidc_subject'], { indexName: 'agents_oidc_identity' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.dropUnique(['oidc_issuer', 'oidc_subject'], 'agents_oidc_identity');
    t.dropColumn('oidc_subject');
    t.dropColumn('oidc_issuer');
  });
}
