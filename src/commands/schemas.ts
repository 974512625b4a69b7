// One schema per action: what a command accepts, checked the same way whether it comes
// from an agent's form (src/web/routes/forms.ts maps the form's fields onto these inputs)
// or from the JSON API (the body as it is). Each problem has one French message,
// `ui.invalid.*`, shown by the page and answered by the API alike.
import { z } from 'zod';
import { PRESENCES } from '../db/presence';
import { CHANNELS } from '../db/requests';
import { PRIORITIES } from '../../workflows/definitions';
import { t } from '../i18n';
import { CommandError } from './errors';
import { frenchZodMessage } from './zodMessages';
import { MAX_MESSAGE } from './writeMessage';

// zod's own messages in French: those of the filing and of a body that is no object.
z.config({ localeError: frenchZodMessage });

/** The field's message, `ui.invalid.<key>`; a text too long is said the same for every field. */
const said = (key: string) => ({
  error: (issue: { code?: string }) => t(issue.code === 'too_big' ? 'ui.invalid.tooLong' : `ui.invalid.${key}`),
});

/** A text that must be filled in, trimmed; `key` says what is missing. */
const required = (key: string, max: number) => z.string(said(key)).trim().min(1, said(key)).max(max, said(key));
const optional = (max: number, trim = true) => (trim ? z.string(said('text')).trim() : z.string(said('text'))).max(max, said('text'));
const choice = () => z.boolean(said('choice'));

/** The send / don't send buttons of a take or a close, and the edited subject and body. */
const citizenEmail = {
  notifyCitizen: z.boolean(said('notifyCitizen')),
  subject: optional(500).optional(),
  body: optional(20000, false).optional(),
};

/** The hold ends on the morning of the chosen day, when agents are back at their desks. */
export const HOLD_END_HOUR = 8;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', hourCycle: 'h23',
  year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
});

/** Epoch ms of a wall-clock time in Paris (UTC+1 in winter, UTC+2 in summer), whatever the server's time zone. */
export function parisTime(day: string, hour: number, minute = 0): number {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d, hour, minute);
  const parts = Object.fromEntries(parisParts.formatToParts(guess).map((p) => [p.type, Number(p.value)]));
  const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return guess - (shown - guess);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * When a hold ends, as epoch ms. A date alone (YYYY-MM-DD, what the form's date field
 * sends) means 08:00 Europe/Paris on that day; a date-time with its offset (the API's
 * `2026-03-02T14:30:00+01:00` or `…Z`) means that instant. Null, absent or the form's
 * empty field: no date. The same meaning from the page and from the API.
 */
const holdUntil = z.union([z.iso.date(), z.iso.datetime({ offset: true })], said('until'))
  .nullish()
  .transform((value) => (value ? (DAY.test(value) ? parisTime(value, HOLD_END_HOUR) : Date.parse(value)) : null));

export const takeSchema = z.object(citizenEmail);
export const holdSchema = z.object({
  reason: required('reason', 2000),
  until: holdUntil.meta({ description: 'A date alone (YYYY-MM-DD) means 08:00 Europe/Paris time on that day; a date-time with an offset means that instant. Absent or null: no end date.' }),
  waitingForCitizen: choice().default(false),
});
export const resumeSchema = z.object({}).passthrough();
export const reassignSchema = z.object({
  agent: required('agent', 64),
  /** taking it from the colleague who holds it: asked first (409 CONFIRMATION_REQUIRED), then sent again with true */
  confirm: choice().optional(),
});
export const annotateSchema = z.object({ eventType: required('eventType', 64), comment: optional(5000).default('') });
export const prioritizeSchema = z.object({ priority: z.enum(PRIORITIES, said('priority')) });
/** « Assigner à un autre groupe »: the group by its name, and why. */
export const transferSchema = z.object({ group: required('group', 120), reason: required('transferReason', 2000) });
/** Asking another group's opinion (« Demander l'avis d'un expert »): the group's id, and the question. */
export const consultSchema = z.object({
  group: z.coerce.number(said('consultedGroup')).int(said('consultedGroup')).positive(said('consultedGroup')),
  question: required('question', 5000),
});
export const answerConsultationSchema = z.object({ answer: required('answer', 5000) });
export const withdrawConsultationSchema = z.object({}).passthrough();
export const closeSchema = z.object({ closingCode: required('closingCode', 64), ...citizenEmail });
/** A message (agents' page only): the command trims the body and says when it is empty or too long. */
export const messageSchema = z.object({
  body: optional(MAX_MESSAGE + 1, false),
  visible: choice(),
  finalCode: required('closingCode', 64).nullable(),
});

/** « Scinder »: what each of the two new requests is about (a visible message on it), and the message on the original (a default one when absent). */
export const splitSchema = z.object({
  parts: z.array(z.object({ message: required('splitMessage', MAX_MESSAGE) }), said('splitParts')).length(2, said('splitParts')),
  message: optional(MAX_MESSAGE).nullish(),
});

/** A callback's day and hour (Paris time): HH:MM, or HH:MM:SS (an <input type="time" step="1">, the API). */
const callbackWhen = {
  date: z.iso.date(said('callbackDate')),
  time: z.string(said('callbackTime')).regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, said('callbackTime')),
};
export const callbackSchema = z.object({
  ...callbackWhen,
  phone: required('phone', 40).meta({ description: 'International format (+33 6 12 34 56 78) or a French number (06 12 34 56 78).' }),
  reassignToMe: choice().default(false),
});
export const moveCallbackSchema = z.object(callbackWhen);
export const logCallSchema = z.object({ wrapUpCode: required('wrapUpCode', 64), note: optional(5000).default('') });

/**
 * A telephony connector's report of a call (`POST /api/telephonie/appels`): its event, its
 * id on the telephone system, the caller's number, and the answering agent by code or by
 * line (one of them).
 */
export const phoneEventSchema = z.object({
  event: z.enum(['ringing', 'answered', 'hangup'], said('phoneEvent')).meta({ description: '« ringing »: the agent\'s telephone rings; « answered »: the agent picked up (their page shows the caller\'s file); « hangup »: the call ended (recorded on the request the agent had open).' }),
  callId: z.string(said('callId')).trim().min(1, said('callId')).max(128, said('callId')).regex(/^[\x21-\x7e]+$/, said('callId')).meta({ description: 'The call\'s id on the telephone system: the same for its three events.' }),
  caller: required('caller', 40).meta({ description: 'The caller\'s number, international (+32 470 12 34 56) or French (06 12 34 56 78); kept in E.164.' }),
  agent: optional(64).optional().meta({ description: 'The code of the agent who answers (amartin). Give this or `line`.' }),
  line: optional(32).optional().meta({ description: 'The agent\'s line (extension), as set on their account. Give this or `agent`.' }),
}).refine((b) => Boolean(b.agent) !== Boolean(b.line), { message: t('ui.invalid.phoneAgent'), path: ['agent'] });

/** The agent's choice of the request a call is recorded on (the call's panel). */
export const phoneRequestSchema = z.object({ reference: required('phoneReference', 64) });

/** Epoch ms of a callback's day and hour in Paris. */
export function callbackTime(when: { date: string; time: string }): number {
  const [hour, minute, second = 0] = when.time.split(':').map(Number);
  return parisTime(when.date, hour, minute) + second * 1000;
}

/** An agent's own presence (header control, « Mon compte », PUT /api/me/presence). */
export const presenceSchema = z.object({ presence: z.enum(PRESENCES, said('presence')) });

/** A message in a room of agent assistance; the command trims it and says when it is empty or too long. `request`: a reference to link. */
export const chatMessageSchema = z.object({
  body: z.string(said('chatBody')),
  request: optional(64).optional(),
});
/** `?after=`: the messages after this one (a message id, 0 for all); absent, the room's last ones. */
export const chatAfterSchema = z.object({ after: z.coerce.number(said('chatAfter')).int(said('chatAfter')).min(0, said('chatAfter')).max(Number.MAX_SAFE_INTEGER, said('chatAfter')).optional() });

export type TakeProps = z.output<typeof takeSchema>;
export type HoldInput = z.output<typeof holdSchema>;
export type ReassignProps = z.output<typeof reassignSchema>;
export type AnnotateProps = z.output<typeof annotateSchema>;
export type PrioritizeProps = z.output<typeof prioritizeSchema>;
export type TransferProps = z.output<typeof transferSchema>;
export type CloseProps = z.output<typeof closeSchema>;
export type ConsultProps = z.output<typeof consultSchema>;
export type AnswerConsultationProps = z.output<typeof answerConsultationSchema>;
export type MessageFields = z.output<typeof messageSchema>;
export type PresenceProps = z.output<typeof presenceSchema>;
export type ChatMessageInput = z.output<typeof chatMessageSchema>;
export type CallbackProps = z.output<typeof callbackSchema>;
export type MoveCallbackProps = z.output<typeof moveCallbackSchema>;
export type LogCallProps = z.output<typeof logCallSchema>;
export type PhoneEventProps = z.output<typeof phoneEventSchema>;
export type SplitProps = z.output<typeof splitSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional().nullable();

/** A partner's filing (API only: the citizens' forms are checked field by field, src/forms). */
export const submitSchema = z.object({
  formType: text(64),
  citizen: z.object({
    firstName: text(200),
    lastName: text(200),
    email: z.string().trim().email().max(254).optional().nullable(),
    phone: optionalText(64),
    address: optionalText(2000),
  }),
  answers: z.record(z.string(), z.unknown()).default({}),
  channel: z.enum(CHANNELS).default('web'),
});

/** A partner's webhook: an http(s) URL that receives the deliveries. */
export const webhookSchema = z.object({ url: z.url({ protocol: /^https?$/ }).max(2000) });

const fieldOf = (path: readonly PropertyKey[] | undefined) => path?.map(String).join('.') || 'body';

/** zod's own messages (French by z.config, src/commands/zodMessages.ts) do not say which field: its name goes in front. Ours are whole sentences. */
function namingTheField(issue: z.core.$ZodRawIssue): string | undefined {
  const said = z.config().localeError?.(issue);
  const message = typeof said === 'string' ? said : said?.message;
  return message === undefined ? undefined : `${fieldOf(issue.path)} : ${message}`;
}

/** The input as its schema reads it, or a 400 INVALID_INPUT with the first problem and its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {}, { error: namingTheField });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CommandError(400, 'INVALID_INPUT', issue.message, fieldOf(issue.path));
  }
  return result.data;
}
