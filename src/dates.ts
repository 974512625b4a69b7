// Dates as people read them: in French, on Paris time, wherever Guichet shows or writes one
// (pages, e-mails, exports, charts). Every such format is here, so that none drifts to an
// ISO `1985-03-14` or to the server's time zone. ISO days (`2026-11-30`) remain for machines:
// URLs, <input type="date">, <time datetime>, file names.
const PARIS = 'Europe/Paris';
const french = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, ...options });

const formats = {
  /** 14 mars 2026 à 09:15 */
  long: french({ dateStyle: 'long', timeStyle: 'short' }),
  /** 14 mars 2026 */
  longDay: french({ dateStyle: 'long' }),
  /** 14/03/2026 09:15 */
  short: french({ dateStyle: 'short', timeStyle: 'short' }),
  /** 14/03/2026 */
  day: french({ dateStyle: 'short' }),
  /** 09:15 */
  time: french({ timeStyle: 'short' }),
  /** 09:15:42 */
  seconds: french({ timeStyle: 'medium' }),
  /** lun. 30 nov. */
  weekday: french({ weekday: 'short', day: 'numeric', month: 'short' }),
  /** lundi 30 novembre 2026 */
  longWeekday: french({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
};
/** The Paris calendar day of an instant, as an ISO day (en-CA writes 2026-11-30). */
const isoDayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: PARIS });

/** sv-SE writes 2026-11-30 08:15: the Paris wall clock, to be read back as a Date. */
const wallClockFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: PARIS, dateStyle: 'short', timeStyle: 'short' });

type Format = keyof typeof formats;

/** An instant (ms since 1970) in one of the French formats; '' for none. */
export function frenchDate(ms: number | null | undefined, format: Format = 'long'): string {
  return ms === null || ms === undefined || ms === 0 ? '' : formats[format].format(new Date(Number(ms)));
}

/** The Paris calendar day of an instant: `2026-11-30`, for machines. */
export const parisIsoDay = (ms: number): string => isoDayFormat.format(ms);

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar day written ISO (`1985-03-14`, a date field's answer, a statistics day) in a
 * French format: `14/03/1985` by default. A day is no instant: it is read at noon UTC, which
 * is the same day in Paris. Anything else is returned as it is.
 */
export function frenchDay(isoDay: string, format: Format = 'day'): string {
  return ISO_DAY.test(isoDay) ? formats[format].format(new Date(`${isoDay}T12:00:00Z`)) : isoDay;
}

/** An instant as the Paris wall clock written in UTC: for a spreadsheet, which has no time zones. */
export function parisWallClock(ms: number): Date {
  const [date, time] = wallClockFormat.format(ms).split(' ');
  return new Date(`${date}T${time}:00Z`);
}

const DAY = 24 * 3600_000;

/** Days since 1970-01-01 on Paris's calendar. */
export const parisDayNumber = (at: number): number => Math.floor(parisWallClock(at).getTime() / DAY);

/** The instant Paris's day `day` begins. */
export function midnightOf(day: number): number {
  // Paris is one or two hours ahead of UTC: its midnight is 22:00 or 23:00 UTC the day before.
  const utcMidnight = day * DAY;
  return [utcMidnight - 2 * 3600_000, utcMidnight - 3600_000].find((t) => parisDayNumber(t) === day && parisDayNumber(t - 1) === day - 1)!;
}
