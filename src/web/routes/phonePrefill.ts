// « Créer la fiche » and « Saisir une demande » from the call panel carry the caller's
// number (`?telephone=+33612345678`): the form opens with it filled in, and a request
// entered so comes « par téléphone ».
import type { Request } from 'express';
import { displayPhone, normalPhone } from '../../calls/phone';
import type { RawValues } from '../../forms/answers';

/** The caller's number of the URL, checked (E.164), or null. */
export function callerOf(req: Request): string | null {
  const raw = req.query.telephone;
  return typeof raw === 'string' && raw.length <= 40 ? normalPhone(raw) : null;
}

/** The form's fields the number fills: the phone, and the channel « téléphone » for an entry. */
export function phonePrefill(req: Request, entry = false): RawValues {
  const e164 = callerOf(req);
  if (!e164) return {};
  return entry ? { telephone: displayPhone(e164), canal: 'phone' } : { telephone: displayPhone(e164) };
}

/** The query string that passes the number on (catalogue → form). */
export function phoneQuery(req: Request): string {
  const e164 = callerOf(req);
  return e164 ? `?telephone=${encodeURIComponent(e164)}` : '';
}
