// zod's own messages, in French from src/locales/fr/validation.json: those that reach the
// API when a body is not the shape a schema wants (a field's type, an unknown key…). zod's
// bundled French says « chaîne de caractères attendu »: each type's phrase is written whole
// here, so that its participle agrees (attendue, reçu), and counts take their plural.
import type { z } from 'zod';
import { t } from '../i18n';

const EXPECTED = ['string', 'number', 'int', 'boolean', 'array', 'object', 'date', 'null'];
const RECEIVED = ['string', 'number', 'nan', 'boolean', 'array', 'object', 'null'];
const FORMATS = ['email', 'url', 'datetime', 'date', 'regex'];

const typeOf = (input: unknown): string => {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
  return typeof input;
};
const known = (list: string[], value: string) => (list.includes(value) ? value : 'other');
const shown = (value: unknown) => (typeof value === 'string' ? `« ${value} »` : String(value));

type Issue = z.core.$ZodRawIssue;

function sizeMessage(issue: Issue & { code: 'too_big' | 'too_small' }): string {
  const big = issue.code === 'too_big';
  const count = Number(big ? issue.maximum : issue.minimum);
  if (issue.origin === 'string') {
    if (!big && count === 1) return t('validation.empty');
    return t(big ? 'validation.tooLong' : 'validation.tooShort', { count });
  }
  if (issue.origin === 'array' || issue.origin === 'set') return t(big ? 'validation.tooMany' : 'validation.tooFew', { count });
  const strict = issue.inclusive === false ? 'Strict' : '';
  return t(big ? `validation.tooBig${strict}` : `validation.tooSmall${strict}`, { count });
}

/** The French message of a zod issue; given to z.config as its localeError. */
export function frenchZodMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = t(`validation.expected.${known(EXPECTED, String(issue.expected))}`);
      if (issue.input === undefined) return t('validation.missing', { expected });
      return t('validation.invalidType', { expected, received: t(`validation.received.${known(RECEIVED, typeOf(issue.input))}`) });
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? t('validation.oneValue', { value: shown(issue.values[0]) })
        : t('validation.oneOf', { values: issue.values.map(shown).join(', ') });
    case 'too_big':
    case 'too_small':
      return sizeMessage(issue);
    case 'invalid_format':
      return t(`validation.format.${known(FORMATS, issue.format)}`, { format: issue.format });
    case 'not_multiple_of':
      return t('validation.notMultipleOf', { divisor: String(issue.divisor) });
    case 'unrecognized_keys':
      return t('validation.unknownKeys', { count: issue.keys.length, keys: issue.keys.join(', ') });
    default:
      return t('validation.invalid');
  }
}
