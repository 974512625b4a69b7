import type { Knex } from 'knex';

// The placeholders of e-mail templates took French names ({{citizenName}} became {{nomUsager}}):
// the templates administrators saved before are rewritten here, once, so that they keep
// working and the editor shows them in the names it lists. Rewriting beats accepting the old
// names as aliases: one vocabulary, which the editor lists and the validator checks, instead
// of English names living on unseen in stored templates; `down` writes them back. The table is
// frozen here, as it was on the day (src/mail/templates.ts has today's, which may move on).
const RENAMED: Record<string, string> = {
  formTitle: 'demarche', serviceName: 'service', submittedAt: 'dateDepot', requestUrl: 'lienDemande', municipality: 'mairie',
  citizenName: 'nomUsager', trackingCode: 'codeSuivi', trackingUrl: 'lienSuivi', agentName: 'nomAgent', agentCode: 'codeAgent',
  actorName: 'nomAuteur', closingLabel: 'decision', deletionDate: 'dateSuppression', inProgressSince: 'enCoursDepuis', link: 'lien',
  validity: 'validite', count: 'nombre', requests: 'demandes', listUrl: 'lienListe', replyUrl: 'lienReponse', resumed: 'reprise',
};

/** Renames the identifiers inside the {{…}} of a template, and nothing of its text. */
export function renamePlaceholders(template: string, names: Record<string, string>): string {
  return template.replace(/\{\{\{?[^}]*\}?\}\}/g, (mustache) =>
    mustache.replace(/[A-Za-z_]\w*/g, (word) => (Object.hasOwn(names, word) ? names[word] : word)));
}

async function rewrite(knex: Knex, names: Record<string, string>): Promise<void> {
  const rows: { kind: string; subject: string; body: string }[] = await knex('email_templates').select('kind', 'subject', 'body');
  for (const row of rows) {
    const subject = renamePlaceholders(row.subject, names);
    const body = renamePlaceholders(row.body, names);
    if (subject !== row.subject || body !== row.body) {
      await knex('email_templates').where({ kind: row.kind }).update({ subject, body });
    }
  }
}

export async function up(knex: Knex): Promise<void> {
  await rewrite(knex, RENAMED);
}

export async function down(knex: Knex): Promise<void> {
  await rewrite(knex, Object.fromEntries(Object.entries(RENAMED).map(([english, french]) => [french, english])));
}
