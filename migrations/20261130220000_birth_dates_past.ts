import type { Knex } from 'knex';

// Date fields learnt to accept past days only (a birth date) or days from today on (a planned
// date): `period` in a field's definition. The date fields stored before that name no period;
// those that ask for a birth date (« naissance » in their key or label) get `past`, so that a
// birth date in 2030 is refused from now on, on the forms already online too. Only a check
// is added: the answers already filed are not touched. An administrator may change it in the
// form editor.
const isBirthDate = (f: { type?: string; key?: string; label?: string; period?: string }) =>
  f.type === 'date' && f.period === undefined && /naissance/i.test(`${f.key ?? ''} ${f.label ?? ''}`);

export async function up(knex: Knex): Promise<void> {
  const versions: { id: number; fields: string }[] = await knex('form_versions').select('id', 'fields');
  for (const v of versions) {
    let fields: Record<string, unknown>[];
    try {
      fields = JSON.parse(v.fields) as Record<string, unknown>[];
    } catch {
      continue;
    }
    if (Array.isArray(fields) && fields.some(isBirthDate)) {
      const flagged = fields.map((f) => (isBirthDate(f) ? { ...f, period: 'past' } : f));
      await knex('form_versions').where({ id: v.id }).update({ fields: JSON.stringify(flagged) });
    }
  }
}

export async function down(): Promise<void> {
  // A check is kept: whether a period was set by hand or here can no longer be told apart.
}
