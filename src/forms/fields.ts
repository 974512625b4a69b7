// The fields an administrator gives a form type. Every form also opens with the citizen's
// identity and contact (IDENTITY_FIELDS): the request needs them whatever the form is.
import { z } from 'zod';

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
}

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
  key: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'Identifiant : lettres minuscules, chiffres et tirets, 40 caractères au plus, en commençant par une lettre.'),
  label: z.string().trim().min(1, 'Le libellé est obligatoire.').max(200),
  type: z.enum(FIELD_TYPES, 'Type de champ inconnu.'),
  required: z.boolean(),
  help: z.string().trim().max(500).optional(),
  options: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  maxLength: z.number().int().min(1).max(20000).optional(),
  pattern: z.string().max(200).refine(validPattern, 'Expression de validation invalide.').optional(),
  patternMessage: z.string().trim().max(200).optional(),
}).superRefine((f, ctx) => {
  if ((f.type === 'choice' || f.type === 'checkboxes') && (!f.options || f.options.length < 1)) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'Une liste de choix a besoin d’au moins un choix (un par ligne).' });
  }
  if (f.options && new Set(f.options).size !== f.options.length) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'Les choix doivent être tous différents.' });
  }
});

export const fieldsSchema = z.array(fieldSchema).max(MAX_FIELDS).superRefine((fields, ctx) => {
  const keys = new Set<string>(IDENTITY_KEYS);
  for (const [i, f] of fields.entries()) {
    if (keys.has(f.key)) {
      ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `L’identifiant « ${f.key} » est déjà pris.` });
    }
    keys.add(f.key);
  }
});

/** The citizen's identity and contact, on every form; the answers go to request_personal's columns. */
export const IDENTITY_FIELDS: FieldDefinition[] = [
  { key: 'nom', label: 'Nom', type: 'text', required: true, maxLength: 200 },
  { key: 'prenom', label: 'Prénom', type: 'text', required: true, maxLength: 200 },
  { key: 'courriel', label: 'Adresse électronique', type: 'email', required: false, help: 'Pour recevoir l’accusé de réception, le code de suivi et les réponses du service.' },
  { key: 'telephone', label: 'Téléphone', type: 'phone', required: false },
  { key: 'adresse', label: 'Adresse postale', type: 'address', required: false },
];
const IDENTITY_KEYS = IDENTITY_FIELDS.map((f) => f.key);

export const hasFiles = (fields: FieldDefinition[]) => fields.some((f) => f.type === 'file');
