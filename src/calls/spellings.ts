// How people write a number that Guichet knows in E.164: a caller's number is looked for
// in files and requests typed by citizens and agents (« 06 12 34 56 78 », « 0612345678 »,
// « +33 6 12 34 56 78 »…), not only in the international form.

/** The ways a number may have been typed, the E.164 form first. */
export function spellingsOf(e164: string): string[] {
  const fr = /^\+33(\d)(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(e164);
  const international = [e164, `00${e164.slice(1)}`];
  if (!fr) {
    return international;
  }
  const pairs = fr.slice(1);
  const national = `0${pairs.join('')}`;
  const grouped = (sep: string) => `0${pairs[0]}${sep}${pairs.slice(1).join(sep)}`;
  return [...international, national, grouped(' '), grouped('.'), grouped('-'), `+33 ${pairs.join(' ')}`];
}

/** The digits alone of those spellings (a citizen's file keeps its number's digits). */
export function digitSpellingsOf(e164: string): string[] {
  return [...new Set(spellingsOf(e164).map((s) => s.replace(/\D/g, '')))];
}
