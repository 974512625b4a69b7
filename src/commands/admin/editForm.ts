// An administrator edits a form type's online form. Every change saves a new version of
// its fields: requests already filed keep the version they were filed with.
import type { z } from 'zod';
import type { Db } from '../../db/connection';
import { findFormType, updateFormPresentation, type FormTypeRow } from '../../db/formTypes';
import { currentForm, saveFormVersion } from '../../db/formVersions';
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

/** Checks then saves the fields as the next version. */
async function saveFields(db: Db, actor: Actor, formType: FormTypeRow, fields: FieldDefinition[]): Promise<void> {
  const checked = fieldsSchema.safeParse(fields);
  if (!checked.success) {
    throw refusal(checked.error);
  }
  await saveFormVersion(db, formType.id, checked.data, agentIdOf(actor));
}

/** Adds a field, or replaces the one that had the key `replacing`. */
export async function saveField(db: Db, actor: Actor, slug: string, field: FieldDefinition, replacing: string | null): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  const { fields } = await currentForm(db, formType.id);
  const at = replacing ? fields.findIndex((f) => f.key === replacing) : -1;
  const next = at >= 0 ? fields.map((f, i) => (i === at ? field : f)) : [...fields, field];
  await saveFields(db, actor, formType, next);
}

export async function removeField(db: Db, actor: Actor, slug: string, key: string): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  const { fields } = await currentForm(db, formType.id);
  await saveFields(db, actor, formType, fields.filter((f) => f.key !== key));
}

/** Moves a field one place up (-1) or down (+1). */
export async function moveField(db: Db, actor: Actor, slug: string, key: string, by: -1 | 1): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  const fields = [...(await currentForm(db, formType.id)).fields];
  const at = fields.findIndex((f) => f.key === key);
  const to = at + by;
  if (at < 0 || to < 0 || to >= fields.length) {
    return;
  }
  [fields[at], fields[to]] = [fields[to], fields[at]];
  await saveFields(db, actor, formType, fields);
}

/** What the public catalogue says of the form, and whether it offers it. */
export async function presentForm(db: Db, actor: Actor, slug: string, props: { description: string; published: boolean }): Promise<void> {
  const formType = await formTypeOf(db, actor, slug);
  if (props.description.length > 1000) {
    throw new CommandError(400, 'INVALID_INPUT', t('ui.admin.errors.descriptionTooLong'), 'description');
  }
  await updateFormPresentation(db, formType.id, { description: props.description || null, published: props.published });
}
