// An administrator edits a form type's online form. The changes (add, modify, move,
// remove a field) go to the form type's draft, shared by the administrators and kept in
// the database; « Publier » turns the draft into the next version, which citizens get from
// then on. A version is what was published, not each click; requests already filed keep
// the version they were filed with.
import type { z } from 'zod';
import type { Db } from '../../db/connection';
import { deleteFormDraft, findFormDraft, publishFormDraft, writeFormDraft, type DraftStamp, type FormDraft } from '../../db/formDrafts';
import { findFormType, updateFormPresentation, type FormTypeRow } from '../../db/formTypes';
import { currentForm, type FormVersion } from '../../db/formVersions';
import { fieldsSchema, type FieldDefinition } from '../../forms/fields';
import { agentIdOf, authorize, type Actor } from '../../policies';
import { t } from '../../i18n';
import { CommandError } from '../errors';

/** The form type an administrator edits. */
async function formTypeOf(db: Db, actor: Actor, slug: string): Promise<FormTypeRow> {
  authorize(actor, 'administer');
  const formType = await findFormType(db, slug);
  if (!formType) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  return formType;
}

function refusal(error: z.ZodError): CommandError {
  const issue = error.issues[0];
  return new CommandError(400, 'INVALID_INPUT', issue.message, String(issue.path[issue.path.length - 1] ?? 'key'));
}

/** What the editor shows: the published version, and the draft of unpublished changes if any. */
export interface EditedForm {
  published: FormVersion;
  draft: FormDraft | null;
  /** the draft's fields, else the published ones */
  fields: FieldDefinition[];
}

export async function editedForm(db: Db, formTypeId: number): Promise<EditedForm> {
  const [published, draft] = await Promise.all([currentForm(db, formTypeId), findFormDraft(db, formTypeId)]);
  return { published, draft, fields: draft?.fields ?? published.fields };
}

const sameFields = (a: FieldDefinition[], b: FieldDefinition[]) => JSON.stringify(a) === JSON.stringify(b);

// Two administrators changing the draft at once: the loser reads it again and redoes its
// change on top (a change is relative: « this field one place up »), a few times at most.
const DRAFT_ATTEMPTS = 5;

/** Applies `change` to the draft (started from the published fields if there is none); null changes nothing. */
async function changeDraft(db: Db, actor: Actor, slug: string, change: (fields: FieldDefinition[]) => FieldDefinition[] | null): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  for (let attempt = 0; attempt < DRAFT_ATTEMPTS; attempt++) {
    const { published, draft, fields } = await editedForm(db, formType.id);
    const next = change(fields);
    if (next === null) {
      return;
    }
    const checked = fieldsSchema.safeParse(next);
    if (!checked.success) {
      throw refusal(checked.error);
    }
    // Back to the published fields (a move undone): no draft, nothing left to publish.
    if (sameFields(checked.data, published.fields)) {
      if (!draft || (await deleteFormDraft(db, formType.id, draft))) return;
      continue;
    }
    const from = draft ?? { baseVersion: published.version, revision: null };
    if (await writeFormDraft(db, formType.id, checked.data, from, agentIdOf(actor))) {
      return;
    }
  }
  throw CommandError.of(409, 'FORM_DRAFT_BUSY');
}

/** Adds a field, or replaces the one that had the key `replacing`. */
export async function saveField(db: Db, actor: Actor, slug: string, field: FieldDefinition, replacing: string | null): Promise<void> {
  await changeDraft(db, actor, slug, (fields) => {
    const at = replacing ? fields.findIndex((f) => f.key === replacing) : -1;
    return at >= 0 ? fields.map((f, i) => (i === at ? field : f)) : [...fields, field];
  });
}

export async function removeField(db: Db, actor: Actor, slug: string, key: string): Promise<void> {
  await changeDraft(db, actor, slug, (fields) => (fields.some((f) => f.key === key) ? fields.filter((f) => f.key !== key) : null));
}

/** Moves a field one place up (-1) or down (+1). */
export async function moveField(db: Db, actor: Actor, slug: string, key: string, by: -1 | 1): Promise<void> {
  await changeDraft(db, actor, slug, (current) => {
    const fields = [...current];
    const at = fields.findIndex((f) => f.key === key);
    const to = at + by;
    if (at < 0 || to < 0 || to >= fields.length) {
      return null;
    }
    [fields[at], fields[to]] = [fields[to], fields[at]];
    return fields;
  });
}

/**
 * Publishes the draft the administrator saw (`stamp`) as the next version; its number, or
 * null when the draft changed nothing (it is dropped, no version is made). Refused (409)
 * when that draft was published, abandoned or changed meanwhile, by a double click or by
 * another administrator: one publish makes one version.
 */
export async function publishForm(db: Db, actor: Actor, slug: string, stamp: DraftStamp): Promise<number | null> {
  const formType = await formTypeOf(db, actor, slug);
  const { published, draft } = await editedForm(db, formType.id);
  if (draft && draft.revision === stamp.revision && draft.baseVersion === stamp.baseVersion && sameFields(draft.fields, published.fields)) {
    await deleteFormDraft(db, formType.id, stamp);
    return null;
  }
  const version = await publishFormDraft(db, formType.id, stamp, agentIdOf(actor));
  if (version === null) {
    throw CommandError.of(409, 'FORM_DRAFT_STALE');
  }
  return version;
}

/** Abandons the draft the administrator saw: the editor shows the published version again. */
export async function discardDraft(db: Db, actor: Actor, slug: string, stamp: DraftStamp): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  if (!(await deleteFormDraft(db, formType.id, stamp))) {
    throw CommandError.of(409, 'FORM_DRAFT_STALE');
  }
}

/** What the public catalogue says of the form, and whether it offers it. */
export async function presentForm(db: Db, actor: Actor, slug: string, props: { description: string; published: boolean }): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  if (props.description.length > 1000) {
    throw new CommandError(400, 'INVALID_INPUT', t('ui.admin.errors.descriptionTooLong'), 'description');
  }
  await updateFormPresentation(db, formType.id, { description: props.description || null, published: props.published });
}
