import { fieldsSchema, type FieldDefinition } from '../forms/fields';
import type { Db } from './connection';

export interface FormVersion {
  id: number | null;
  version: number;
  fields: FieldDefinition[];
}

const parse = (row: { id: number; version: number; fields: string }): FormVersion => ({
  id: row.id, version: Number(row.version), fields: JSON.parse(row.fields) as FieldDefinition[],
});

/** The version new requests are filed with; a form type never edited has no fields of its own. */
export async function currentForm(db: Db, formTypeId: number): Promise<FormVersion> {
  const row = await db('form_versions').where({ form_type_id: formTypeId }).orderBy('version', 'desc').first('id', 'version', 'fields');
  return row ? parse(row) : { id: null, version: 0, fields: [] };
}

export async function formVersionById(db: Db, id: number | null): Promise<FormVersion | null> {
  if (id === null || id === undefined) return null;
  const row = await db('form_versions').where({ id }).first('id', 'version', 'fields');
  return row ? parse(row) : null;
}

/**
 * Saves the fields as the next version. Versions are never changed: requests filed with
 * an earlier one keep it. Two admins saving at once: the unique (form, version) refuses one.
 */
export async function saveFormVersion(db: Db, formTypeId: number, fields: FieldDefinition[], agentId: number | null): Promise<number> {
  const checked = fieldsSchema.parse(fields);
  const current = await currentForm(db, formTypeId);
  const [id] = await db('form_versions').insert({
    form_type_id: formTypeId, version: current.version + 1, fields: JSON.stringify(checked), agent_id: agentId, created_at: Date.now(),
  });
  return Number(id);
}
