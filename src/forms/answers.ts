// A filled form → the citizen, the answers and, per field, what is wrong (in French).
// The same checks serve the public form, the agent's entry for a citizen and the API.
import { z } from 'zod';
import type { Citizen } from '../db/requests';
import { frenchDay, parisIsoDay } from '../dates';
import { t } from '../i18n';
import { DEFAULT_MAX_LENGTH, IDENTITY_FIELDS, type DatePeriod, type FieldDefinition } from './fields';

export type Answer = string | string[];
/** What the form sent, by input name: kept to show the form again as it was typed. */
export type RawValues = Record<string, Answer>;

export interface CheckedForm {
  citizen: Citizen;
  answers: Record<string, Answer>;
  /** field key → message */
  errors: Record<string, string>;
}

const ADDRESS_PARTS = ['rue', 'code-postal', 'commune'] as const;
export const addressInput = (key: string, part: (typeof ADDRESS_PARTS)[number]) => `${key}-${part}`;

const one = (raw: RawValues, name: string): string => {
  const v = raw[name];
  const s = Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  return s.replace(/\r\n?/g, '\n').trim();
};
const many = (raw: RawValues, name: string): string[] => {
  const v = raw[name];
  return (Array.isArray(v) ? v : v ? [v] : []).map((s) => s.trim()).filter(Boolean);
};

const isEmail = (s: string) => z.email().safeParse(s).success;
const isPhone = (s: string) => /^[+0-9 ().-]{6,25}$/.test(s) && s.replace(/\D/g, '').length >= 6;
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** The earliest day a past date may be: before it, the year is surely mistyped (0985 for 1985). */
const EARLIEST_PAST_DAY = '1900-01-01';

/** What is wrong with a date answer (ISO, as <input type="date"> sends it), for the days its field accepts. */
function dateProblem(value: string, period: DatePeriod | undefined): string | null {
  if (!isDay(value)) return t('ui.form.errors.date');
  const today = parisIsoDay(Date.now());
  if (period === 'past' && value > today) return t('ui.form.errors.dateInFuture', { today: frenchDay(today) });
  if (period === 'past' && value < EARLIEST_PAST_DAY) return t('ui.form.errors.dateTooOld', { day: frenchDay(value) });
  if (period === 'future' && value < today) return t('ui.form.errors.dateInPast', { today: frenchDay(today) });
  return null;
}

/** What the postal code of an address lacks: 5 digits; 4 are most often a département 01–09 without its 0. */
function postcodeProblem(postcode: string): string | null {
  if (/^\d{5}$/.test(postcode)) return null;
  return /^\d{4}$/.test(postcode) ? t('ui.form.errors.postcodeFourDigits', { value: postcode }) : t('ui.form.errors.postcode');
}

/** One field's answer and its problem, if any; file fields are checked with the uploads. */
function checkField(f: FieldDefinition, raw: RawValues): { value: Answer | null; error?: string } {
  switch (f.type) {
    case 'checkboxes': {
      const picked = many(raw, f.key);
      if (picked.some((p) => !f.options?.includes(p))) return { value: null, error: t('ui.form.errors.unknownChoice') };
      if (f.required && picked.length === 0) return { value: null, error: t('ui.form.errors.checkOne') };
      return { value: picked.length ? picked : null };
    }
    case 'address': {
      const [street, postcode, city] = ADDRESS_PARTS.map((p) => one(raw, addressInput(f.key, p)));
      if (!street && !postcode && !city) return f.required ? { value: null, error: t('ui.form.errors.addressRequired') } : { value: null };
      if (!street || !postcode || !city) return { value: null, error: t('ui.form.errors.addressIncomplete') };
      const postcodeError = postcodeProblem(postcode);
      if (postcodeError) return { value: null, error: postcodeError };
      if (street.length > 300 || city.length > 200) return { value: null, error: t('ui.form.errors.addressTooLong') };
      return { value: `${street}\n${postcode} ${city}` };
    }
    case 'file':
      return { value: null };
    default:
      break;
  }
  const value = one(raw, f.key);
  if (!value) return f.required ? { value: null, error: t('ui.form.errors.required') } : { value: null };
  const max = f.maxLength ?? DEFAULT_MAX_LENGTH[f.type];
  if (max && value.length > max) return { value: null, error: t('ui.form.errors.tooLong', { max }) };
  if (f.type === 'email' && (!isEmail(value) || value.length > 254)) return { value: null, error: t('ui.form.errors.email') };
  if (f.type === 'phone' && !isPhone(value)) return { value: null, error: t('ui.form.errors.phone') };
  if (f.type === 'date') {
    const error = dateProblem(value, f.period);
    if (error) return { value: null, error };
  }
  if (f.type === 'choice' && !f.options?.includes(value)) return { value: null, error: t('ui.form.errors.choice') };
  if (f.pattern && !new RegExp(`^(?:${f.pattern})$`, 'u').test(value)) return { value: null, error: f.patternMessage || t('ui.form.errors.pattern') };
  return { value };
}

/** Checks the identity block and the form's own fields. */
export function checkForm(fields: FieldDefinition[], raw: RawValues): CheckedForm {
  const errors: Record<string, string> = {};
  const values: Record<string, Answer> = {};
  for (const f of [...IDENTITY_FIELDS, ...fields]) {
    const { value, error } = checkField(f, raw);
    if (error) errors[f.key] = error;
    else if (value !== null) values[f.key] = value;
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : null);
  const citizen: Citizen = {
    lastName: str('nom') ?? '',
    firstName: str('prenom') ?? '',
    email: str('courriel'),
    phone: str('telephone'),
    address: str('adresse'),
  };
  const answers = Object.fromEntries(fields.filter((f) => f.type !== 'file' && values[f.key] !== undefined).map((f) => [f.key, values[f.key]]));
  return { citizen, answers, errors };
}

/** The API's answers (JSON), checked against the same fields; identity comes separately there. */
export function checkApiAnswers(fields: FieldDefinition[], answers: Record<string, unknown>): Record<string, string> {
  const raw: RawValues = {};
  for (const f of fields) {
    const v = answers[f.key];
    if (f.type === 'address' && typeof v === 'string') {
      const [street = '', rest = ''] = v.split('\n');
      const m = /^(\d+)\s+(.+)$/.exec(rest.trim()); // any number: a 4-digit code gets its own message
      raw[addressInput(f.key, 'rue')] = street;
      raw[addressInput(f.key, 'code-postal')] = m?.[1] ?? rest;
      raw[addressInput(f.key, 'commune')] = m?.[2] ?? '';
    } else if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      raw[f.key] = v as Answer;
    }
  }
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const { error } = checkField(f, raw);
    if (error && f.type !== 'file') errors[f.key] = error;
  }
  return errors;
}

/** A key no version of the form names, readable all the same: `date-naissance` → « Date naissance ». */
export function humanisedKey(key: string): string {
  const words = key.replace(/[-_.]+/g, ' ').trim();
  return words ? words.charAt(0).toLocaleUpperCase('fr') + words.slice(1) : key;
}

/**
 * The answers as the agent reads them: the label of the form version they were filed with;
 * for a key it lacks (filed before the form had fields), the label of a later version
 * (`laterFields`, the current one), and never a raw key. A date reads in French (14/03/1985).
 */
export function labelledAnswers(fields: FieldDefinition[] | null, answers: Record<string, unknown>, laterFields: FieldDefinition[] = []): { label: string; value: string }[] {
  const byKey = new Map([...laterFields, ...(fields ?? [])].map((f) => [f.key, f]));
  return Object.entries(answers).map(([key, value]) => ({
    label: byKey.get(key)?.label ?? humanisedKey(key),
    value: Array.isArray(value) ? value.join(', ')
      : typeof value !== 'string' ? JSON.stringify(value)
      : byKey.get(key)?.type === 'date' ? frenchDay(value) : value,
  }));
}
