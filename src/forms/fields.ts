// The fields an administrator gives a form type. Every form also opens with the citizen's
// identity and contact (IDENTITY_FIELDS): the request needs them whatever the form is.
import { z } from 'zod';
import { t } from '../i18n';

export const FIELD_TYPES = ['text', 'textarea', 'email', 'phone', 'date', 'choice', 'checkboxes', 'address', 'file'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDefinition {
  /** the answer's name: lower case letters, digits and dashes, unique in its form */
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  help?: string;
  /** choice and checkboxes */
  options?: string[];
  /** text and textarea */
  maxLength?: number;
  /** text: a regular expression the whole answer must match, and what to say when it does not */
  pattern?: string;
  patternMessage?: string;
  /** date: the days an answer may take — up to today (a birth date), or from today on (a planned date); any day without */
  period?: DatePeriod;
}

export const DATE_PERIODS = ['past', 'future'] as const;
export type DatePeriod = (typeof DATE_PERIODS)[number];

export const MAX_FIELDS = 40;
export const DEFAULT_MAX_LENGTH: Partial<Record<FieldType, number>> = { text: 200, textarea: 5000 };

const validPattern = (p: string) => {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
};

export const fieldSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, t('ui.form.definition.keyInvalid')),
  label: z.string().trim().min(1, t('ui.form.definition.labelRequired')).max(200),
  type: z.enum(FIELD_TYPES, t('ui.form.definition.typeUnknown')),
  required: z.boolean(),
  help: z.string().trim().max(500).optional(),
  options: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  maxLength: z.number().int().min(1).max(20000).optional(),
  pattern: z.string().max(200).refine(validPattern, t('ui.form.definition.patternInvalid')).optional(),
  patternMessage: z.string().trim().max(200).optional(),
  period: z.enum(DATE_PERIODS).optional(),
}).superRefine((f, ctx) => {
  if ((f.type === 'choice' || f.type === 'checkboxes') && (!f.options || f.options.length < 1)) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: t('ui.form.definition.optionsNeeded') });
  }
  if (f.options && new Set(f.options).size !== f.options.length) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: t('ui.form.definition.optionsDistinct') });
  }
});

export const fieldsSchema = z.array(fieldSchema).max(MAX_FIELDS).superRefine((fields, ctx) => {
  const keys = new Set<string>(IDENTITY_KEYS);
  for (const [i, f] of fields.entries()) {
    if (keys.has(f.key)) {
      ctx.addIssue({ code: 'custom', path: [i, 'key'], message: t('ui.form.definition.keyTaken', { key: f.key }) });
    }
    keys.add(f.key);
  }
});

/** The citizen's identity and contact, on every form; the answers go to request_personal's columns. */
export const IDENTITY_FIELDS: FieldDefinition[] = [
  { key: 'nom', label: t('ui.form.identity.lastName'), type: 'text', required: true, maxLength: 200 },
  { key: 'prenom', label: t('ui.form.identity.firstName'), type: 'text', required: true, maxLength: 200 },
  { key: 'courriel', label: t('ui.form.identity.email'), type: 'email', required: false, help: t('ui.form.identity.emailHelp') },
  { key: 'telephone', label: t('ui.form.identity.phone'), type: 'phone', required: false },
  { key: 'adresse', label: t('ui.form.identity.address'), type: 'address', required: false },
];
const IDENTITY_KEYS = IDENTITY_FIELDS.map((f) => f.key);

export const hasFiles = (fields: FieldDefinition[]) => fields.some((f) => f.type === 'file');
