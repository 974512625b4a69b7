// The agent forms' fields → the commands' props. HTML `required` catches most mistakes
// first; these checks give the same French message when the browser did not.
import type { CitizenEmailChoice } from '../../commands/citizenEmail';
import { CommandError } from '../../commands/errors';
import type { HoldProps } from '../../commands/hold';
import { MAX_MESSAGE, type MessageProps } from '../../commands/writeMessage';
import { t } from '../../i18n';

function invalid(key: string, field: string): CommandError {
  return new CommandError(400, 'INVALID_INPUT', t(`ui.invalid.${key}`), field);
}

/** One urlencoded field; absent or repeated fields give ''. Browsers send CRLF line ends. */
export function text(body: unknown, name: string, max: number, trim = true): string {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  const value = typeof raw === 'string' ? raw.replace(/\r\n?/g, '\n') : '';
  if (value.length > max) {
    throw invalid('tooLong', name);
  }
  return trim ? value.trim() : value;
}

function required(body: unknown, name: string, max: number, messageKey: string): string {
  const value = text(body, name, max);
  if (!value) {
    throw invalid(messageKey, name);
  }
  return value;
}

/** The send / don't send buttons, and the edited subject and body. */
function citizenEmail(body: unknown): CitizenEmailChoice {
  return {
    notifyCitizen: text(body, 'courriel', 16) === 'envoyer',
    subject: text(body, 'subject', 500),
    body: text(body, 'body', 20000),
  };
}

export const takeForm = citizenEmail;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', hourCycle: 'h23',
  year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
});

/** Epoch ms of a wall-clock time in Paris, whatever the server's time zone. */
export function parisTime(day: string, hour: number): number {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d, hour);
  const parts = Object.fromEntries(parisParts.formatToParts(guess).map((p) => [p.type, Number(p.value)]));
  const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return guess - (shown - guess);
}

/** The hold ends on the morning of the chosen day, when agents are back at their desks. */
export const HOLD_END_HOUR = 8;

export function holdForm(body: unknown): HoldProps {
  const reason = required(body, 'reason', 2000, 'reason');
  const day = text(body, 'until', 10);
  const waitingForCitizen = text(body, 'waitingForCitizen', 8) === 'on';
  if (!day) {
    return { reason, until: null, waitingForCitizen };
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
    throw invalid('until', 'until');
  }
  return { reason, until: parisTime(day, HOLD_END_HOUR), waitingForCitizen };
}

export function reassignForm(body: unknown): { agent: string } {
  return { agent: required(body, 'agent', 64, 'agent') };
}

export function annotateForm(body: unknown): { eventType: string; comment: string } {
  return { eventType: required(body, 'eventType', 64, 'eventType'), comment: text(body, 'comment', 5000) };
}

export function closeForm(body: unknown): CitizenEmailChoice & { closingCode: string } {
  return { closingCode: required(body, 'closingCode', 64, 'closingCode'), ...citizenEmail(body) };
}

/** A message: to the citizen or internal; a final answer carries the closing code. */
export function messageForm(body: unknown): MessageProps {
  const visible = text(body, 'kind', 16) !== 'internal';
  const final = visible && text(body, 'final', 8) === 'on';
  return {
    body: text(body, 'body', MAX_MESSAGE + 1, false),
    visible,
    finalCode: final ? required(body, 'closingCode', 64, 'closingCode') : null,
  };
}
