// The agent forms' fields → the inputs of the actions' schemas (src/commands/schemas.ts),
// checked by the same schemas as the JSON API, so a page and the API refuse the same input
// with the same French message. HTML `required` catches most mistakes first.
import * as schema from '../../commands/schemas';
import { CommandError } from '../../commands/errors';
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

/** A field as the form sent it, line ends as typed; the schema checks its length. */
const field = (body: unknown, name: string): string => text(body, name, Infinity, false);
const checked = (body: unknown, name: string): boolean => field(body, name) === 'on';

/** The send / don't send buttons (`courriel=envoyer`), and the edited subject and body. */
const citizenEmail = (body: unknown) => ({
  notifyCitizen: field(body, 'courriel') === 'envoyer',
  subject: field(body, 'subject'),
  body: field(body, 'body'),
});

export const takeForm = (body: unknown) => schema.parseInput(schema.takeSchema, citizenEmail(body));

/** The form's date field sends YYYY-MM-DD, or nothing for no date. */
export const holdForm = (body: unknown) => schema.parseInput(schema.holdSchema, {
  reason: field(body, 'reason'),
  until: field(body, 'until').trim() || null,
  waitingForCitizen: checked(body, 'waitingForCitizen'),
});

export const presenceForm = (body: unknown) => schema.parseInput(schema.presenceSchema, { presence: field(body, 'presence') });
export const reassignForm = (body: unknown) => schema.parseInput(schema.reassignSchema, { agent: field(body, 'agent'), confirm: field(body, 'confirme') === 'oui' });

export const annotateForm = (body: unknown) =>
  schema.parseInput(schema.annotateSchema, { eventType: field(body, 'eventType'), comment: field(body, 'comment') });

export const prioritizeForm = (body: unknown) => schema.parseInput(schema.prioritizeSchema, { priority: field(body, 'priority') });

export const transferForm = (body: unknown) =>
  schema.parseInput(schema.transferSchema, { group: field(body, 'group'), reason: field(body, 'reason') });
export const consultForm = (body: unknown) => schema.parseInput(schema.consultSchema, { group: field(body, 'group'), question: field(body, 'question') });
export const answerConsultationForm = (body: unknown) => schema.parseInput(schema.answerConsultationSchema, { answer: field(body, 'answer') });
/** A callback's day (YYYY-MM-DD) and hour (HH:MM) as the form's date and time fields send them. */
const callbackWhen = (body: unknown) => ({ date: field(body, 'date').trim(), time: field(body, 'time').trim() });

export const callbackForm = (body: unknown) => schema.parseInput(schema.callbackSchema, {
  ...callbackWhen(body), phone: field(body, 'phone'), reassignToMe: checked(body, 'reassignToMe'),
});
export const moveCallbackForm = (body: unknown) => schema.parseInput(schema.moveCallbackSchema, callbackWhen(body));
export const logCallForm = (body: unknown) => schema.parseInput(schema.logCallSchema, { wrapUpCode: field(body, 'wrapUpCode'), note: field(body, 'note') });
/** The callback a move or a cancel is about (the form's hidden field). */
export const callbackIdOf = (body: unknown): number => Number(field(body, 'callback'));

export const closeForm = (body: unknown) =>
  schema.parseInput(schema.closeSchema, { closingCode: field(body, 'closingCode'), ...citizenEmail(body) });

/** A message: to the citizen, or internal (`kind=internal`); a final answer (`final=on`) carries the closing code. */
export function messageForm(body: unknown) {
  const visible = field(body, 'kind') !== 'internal';
  return schema.parseInput(schema.messageSchema, {
    body: field(body, 'body'),
    visible,
    finalCode: visible && checked(body, 'final') ? field(body, 'closingCode') : null,
  });
}
