import { t } from '../../i18n';
import { CommandError } from '../errors';

/** A refused administration input: 400, the French message of ui.admin.errors.<key>, and the field. */
export function invalid(key: string, field: string, params: Record<string, string | number> = {}): CommandError {
  return new CommandError(400, 'INVALID_INPUT', t(`ui.admin.errors.${key}`, params), field);
}

export const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const CODE = /^[A-Z][A-Z0-9_]{1,62}$/;

export function requireText(value: string, field: string, max = 200): string {
  const trimmed = value.trim();
  if (!trimmed) {
    throw invalid('required', field);
  }
  if (trimmed.length > max) {
    throw invalid('tooLong', field, { max });
  }
  return trimmed;
}
