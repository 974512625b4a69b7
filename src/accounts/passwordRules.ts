import { t } from '../i18n';

export const MIN_PASSWORD_LENGTH = 10;

/** Why a new password is refused, in French, or null. */
export function passwordProblem(password: string, confirmation: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return t('ui.account.password.tooShort', { min: MIN_PASSWORD_LENGTH });
  }
  if (password.length > 200) {
    return t('ui.account.password.tooLong');
  }
  if (password !== confirmation) {
    return t('ui.account.password.mismatch');
  }
  return null;
}
