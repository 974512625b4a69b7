// Phone numbers to call back, checked and kept in international format (E.164,
// +33612345678). A French number as people write it (06 12 34 56 78, 06.12.34.56.78,
// +33 (0)6 …, 0033 6 …) is read as such. (libphonenumber-js would check each country's
// plan; it is not a dependency of Guichet yet.)
const E164 = /^\+[1-9]\d{6,14}$/;
const FRENCH = /^\+33[1-9]\d{8}$/;

/** The number in E.164, or null when it is not a valid international or French number. */
export function normalPhone(raw: string): string | null {
  let n = raw.replace(/[\s.\-/]/g, '').replace(/^\+33\(0\)/, '+33').replace(/[()]/g, '');
  if (/^00[1-9]/.test(n)) {
    n = `+${n.slice(2)}`;
  } else if (/^0[1-9]\d{8}$/.test(n)) {
    n = `+33${n.slice(1)}`;
  }
  if (!E164.test(n)) {
    return null;
  }
  return n.startsWith('+33') && !FRENCH.test(n) ? null : n;
}

/** +33612345678 as it is read aloud: +33 6 12 34 56 78 (other countries: as stored). */
export function displayPhone(e164: string | null): string {
  if (!e164) return '';
  const fr = /^\+33(\d)(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(e164);
  return fr ? `+33 ${fr.slice(1).join(' ')}` : e164;
}
