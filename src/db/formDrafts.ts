// The form editor's draft of a form type's fields (see the form_drafts migration): the
// changes the administrators have not published yet. Publishing turns it into the next
// version of form_versions, in one transaction, once.
import type { FieldDefinition } from '../forms/fields';
import type { Db } from './connection';
import { isUniqueViolation } from './idempotency';
import { inTransaction } from './transaction';

/** Which state of which draft a change or a publish is based on. */
export interface DraftStamp {
  baseVersion: number;
  revision: number;
}

export interface FormDraft extends DraftStamp {
  fields: FieldDefinition[];
  agentId: number | null;
}

export async function findFormDraft(db: Db, formTypeId: number): Promise<FormDraft | null> {
  const row = await db('form_drafts').where({ form_type_id: formTypeId }).first();
  return row
    ? {
      fields: JSON.parse(row.fields) as FieldDefinition[], baseVersion: Number(row.base_version), revision: Number(row.revision),
      agentId: row.agent_id === null ? null : Number(row.agent_id),
    }
    : null;
}

const stamped = (formTypeId: number, stamp: DraftStamp) => ({ form_type_id: formTypeId, base_version: stamp.baseVersion, revision: stamp.revision });

/**
 * Writes the draft if it is still as `from` says (null: there is none yet, and it starts
 * from `baseVersion`). False when another administrator changed it meanwhile: the caller
 * reads it again.
 */
export async function writeFormDraft(db: Db, formTypeId: number, fields: FieldDefinition[], from: DraftStamp | { baseVersion: number; revision: null }, agentId: number | null): Promise<boolean> {
  const values = { fields: JSON.stringify(fields), agent_id: agentId, updated_at: Date.now() };
  if (from.revision === null) {
    try {
      await db('form_drafts').insert({ ...stamped(formTypeId, { baseVersion: from.baseVersion, revision: 1 }), ...values });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
  const changed = await db('form_drafts').where(stamped(formTypeId, from)).update({ ...values, revision: from.revision + 1 });
  return Number(changed) === 1;
}

/** Abandons the draft as `stamp` says it was; false when it was already gone or changed. */
export async function deleteFormDraft(db: Db, formTypeId: number, stamp: DraftStamp): Promise<boolean> {
  return Number(await db('form_drafts').where(stamped(formTypeId, stamp)).delete()) === 1;
}

/**
 * Publishes the draft as `stamp` says it was as the next version, and removes it, together.
 * Null when that draft is gone or changed (published or abandoned by another request, or
 * edited since): of two concurrent publishes, the conditional delete lets one through (the
 * other waits for its row, then deletes nothing), and the unique (form type, version)
 * would refuse a second version anyway.
 */
export async function publishFormDraft(db: Db, formTypeId: number, stamp: DraftStamp, agentId: number | null): Promise<number | null> {
  return inTransaction(db, async (trx) => {
    const draft = await trx('form_drafts').where(stamped(formTypeId, stamp)).first('fields');
    if (!draft || Number(await trx('form_drafts').where(stamped(formTypeId, stamp)).delete()) !== 1) {
      return null;
    }
    const last = await trx('form_versions').where({ form_type_id: formTypeId }).max({ v: 'version' }).first();
    const version = Number(last?.v ?? 0) + 1;
    await trx('form_versions').insert({ form_type_id: formTypeId, version, fields: draft.fields, agent_id: agentId, created_at: Date.now() });
    return version;
  });
}
