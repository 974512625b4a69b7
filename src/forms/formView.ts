// A form as the templates draw it: each field with its input's name and id, what was
// typed, and its error, linked to the field for screen readers (aria-describedby).
import { addressInput, type RawValues } from './answers';
import { ATTACHMENT_LIMITS } from '../attachments/files';
import { parisIsoDay } from '../dates';
import { t } from '../i18n';
import { IDENTITY_FIELDS, type FieldDefinition } from './fields';

const first = (raw: RawValues, name: string) => {
  const v = raw[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};
const all = (raw: RawValues, name: string) => {
  const v = raw[name];
  return Array.isArray(v) ? v : v ? [v] : [];
};

const AUTOCOMPLETE: Record<string, string> = { nom: 'family-name', prenom: 'given-name', courriel: 'email', telephone: 'tel' };

function fieldView(f: FieldDefinition, raw: RawValues, errors: Record<string, string>) {
  const id = `champ-${f.key}`;
  const error = errors[f.key];
  const describedBy = [f.help ? `${id}-aide` : '', error ? `${id}-erreur` : ''].filter(Boolean).join(' ');
  const picked = all(raw, f.key);
  return {
    ...f,
    id,
    name: f.key,
    error,
    describedBy,
    value: first(raw, f.key),
    autocomplete: AUTOCOMPLETE[f.key] ?? 'off',
    inputType: { email: 'email', phone: 'tel', date: 'date', text: 'text' }[f.type as string] ?? 'text',
    isTextarea: f.type === 'textarea',
    isChoice: f.type === 'choice',
    isCheckboxes: f.type === 'checkboxes',
    isAddress: f.type === 'address',
    isFile: f.type === 'file',
    isInput: ['text', 'email', 'phone', 'date'].includes(f.type),
    // The browser's date picker offers only the days the field accepts (checked again on the server).
    minDay: f.type === 'date' && f.period === 'future' ? parisIsoDay(Date.now()) : undefined,
    maxDay: f.type === 'date' && f.period === 'past' ? parisIsoDay(Date.now()) : undefined,
    options: (f.options ?? []).map((o, i) => ({ value: o, id: `${id}-${i}`, checked: picked.includes(o) })),
    address: f.type === 'address'
      ? {
          street: { name: addressInput(f.key, 'rue'), id, value: first(raw, addressInput(f.key, 'rue')) },
          postcode: { name: addressInput(f.key, 'code-postal'), id: `${id}-code-postal`, value: first(raw, addressInput(f.key, 'code-postal')) },
          city: { name: addressInput(f.key, 'commune'), id: `${id}-commune`, value: first(raw, addressInput(f.key, 'commune')) },
        }
      : null,
    maxFiles: ATTACHMENT_LIMITS.files,
  };
}

/** One fieldset of fields. */
export function section(id: string, legend: string, fields: FieldDefinition[], raw: RawValues, errors: Record<string, string>) {
  return { id, legend, fields: fields.map((f) => fieldView(f, raw, errors)) };
}

/**
 * The sections of a form: the citizen's identity, the form's own fields, then its file
 * fields last (a refused file must not cut off the fields after it, see web/uploads.ts).
 */
export function formSections(fields: FieldDefinition[], raw: RawValues, errors: Record<string, string>) {
  const own = fields.filter((f) => f.type !== 'file');
  const files = fields.filter((f) => f.type === 'file');
  const view = (list: FieldDefinition[]) => list.map((f) => fieldView(f, raw, errors));
  return [
    { id: 'coordonnees', legend: t('ui.form.sections.identity'), fields: view(IDENTITY_FIELDS) },
    ...(own.length ? [{ id: 'demande', legend: t('ui.form.sections.request'), fields: view(own) }] : []),
    ...(files.length ? [{ id: 'pieces', legend: t('ui.form.sections.files'), fields: view(files), hint: t('ui.form.sections.filesHint', { files: ATTACHMENT_LIMITS.files }) }] : []),
  ];
}

/** The error summary at the top: each message, linked to its field. */
export function errorSummary(fields: FieldDefinition[], errors: Record<string, string>) {
  const labels = new Map([...IDENTITY_FIELDS, ...fields].map((f) => [f.key, f.label]));
  return Object.entries(errors).map(([key, message]) => ({ href: `#champ-${key}`, label: labels.get(key) ?? key, message }));
}
