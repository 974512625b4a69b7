// What a citizen (or an agent for them) sent in a form: its fields checked against the
// form's version, its files checked by content, every problem named beside its field.
import type { Request } from 'express';
import { checkUploads, type Upload } from '../../attachments/files';
import { checkForm, type CheckedForm, type RawValues } from '../../forms/answers';
import { t } from '../../i18n';
import type { FieldDefinition } from '../../forms/fields';
import { errorSummary, formSections } from '../../forms/formView';
import { uploadsOf } from '../uploads';

export interface FilledForm extends CheckedForm {
  raw: RawValues;
  uploads: Upload[];
}

export async function readFilledForm(req: Request, fields: FieldDefinition[]): Promise<FilledForm> {
  const raw = (req.body ?? {}) as RawValues;
  const checked = checkForm(fields, raw);
  const fileFields = new Set(fields.filter((f) => f.type === 'file').map((f) => f.key));
  const uploads = uploadsOf(req).filter((u) => fileFields.has(u.field));
  const errors = { ...checked.errors, ...(await checkUploads(uploads)) };
  for (const f of fields) {
    if (f.type === 'file' && f.required && !uploads.some((u) => u.field === f.key) && !errors[f.key]) {
      errors[f.key] = t('ui.form.errors.fileRequired');
    }
  }
  if (req.uploadError) {
    // multer names the input it stopped at; a form-wide limit goes to the first file field.
    const key = fileFields.has(req.uploadError.field) ? req.uploadError.field : [...fileFields][0] ?? 'nom';
    errors[key] = req.uploadError.message;
  }
  return { ...checked, errors, raw, uploads };
}

/** The model of the form's partial (views/partials/forms/fields.hbs). */
export function formModel(fields: FieldDefinition[], raw: RawValues = {}, errors: Record<string, string> = {}) {
  return {
    sections: formSections(fields, raw, errors),
    summary: errorSummary(fields, errors),
    filesLost: Object.keys(errors).length > 0 && fields.some((f) => f.type === 'file'),
  };
}
