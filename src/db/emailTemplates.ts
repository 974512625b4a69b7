import type { EmailKind } from './emails';
import type { Db } from './connection';

export interface TemplateOverride {
  kind: EmailKind;
  subject: string;
  body: string;
  updated_at: number;
}

export async function findTemplateOverride(db: Db, kind: EmailKind): Promise<TemplateOverride | undefined> {
  return db('email_templates').where({ kind }).first('kind', 'subject', 'body', 'updated_at');
}

export async function listTemplateOverrides(db: Db): Promise<TemplateOverride[]> {
  return db('email_templates').select('kind', 'subject', 'body', 'updated_at');
}

export async function saveTemplateOverride(db: Db, kind: EmailKind, subject: string, body: string, agentId: number | null): Promise<void> {
  const row = { subject, body, updated_by: agentId, updated_at: Date.now() };
  await db.transaction(async (trx) => {
    const updated = await trx('email_templates').where({ kind }).update(row);
    if (updated === 0) {
      await trx('email_templates').insert({ kind, ...row });
    }
  });
}

export async function deleteTemplateOverride(db: Db, kind: EmailKind): Promise<void> {
  await db('email_templates').where({ kind }).delete();
}
