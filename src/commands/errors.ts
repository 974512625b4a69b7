import { t } from '../i18n';

/** A refusal the caller can show: an HTTP status, a stable code and a French message. */
export class CommandError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  static of(status: CommandError['status'], code: string, params: Record<string, string> = {}, field?: string): CommandError {
    return new CommandError(status, code, t(`errors.${code}`, params), field);
  }
}
