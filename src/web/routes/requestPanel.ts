// What the request panel shows: the same model for the full page, the htmx answer
// to an action and the panel's own refresh.
import { callDurationWords } from '../../calls/duration';
import { attachmentsOf, type AttachmentRow } from '../../db/attachments';
import { currentForm, formVersionById } from '../../db/formVersions';
import { labelledAnswers } from '../../forms/answers';
import { previewCitizenEmail } from '../../commands/citizenEmail';
import type { Ctx } from '../../commands/context';
import { agentsOfGroup, type Agent } from '../../db/agents';
import { listGroups } from '../../db/groups';
import { isReachable } from '../../db/presence';
import { namedWithPresence } from './presenceControl';
import { CITIZEN_EMAIL_KINDS, emailsOfRequest, type EmailView } from '../../db/emails';
import { findPersonal, listEvents, type EventView, type PersonalRow, type RequestRow } from '../../db/requests';
import { closingLabel, listClosingCodes, listEventTypes } from '../../db/views';
import { t } from '../../i18n';
import { messagesOf } from '../../db/messages';
import { abilities, can } from '../../policies';
import { consultationsOfRequest } from '../../db/consultations';
import { parisIsoDay } from '../../dates';
import { PRIORITIES, priorityOf } from '../../../workflows/definitions';
import { PRIORITY_CHANGED, TRANSFERRED } from '../../../workflows/lifecycle';
import { callbacksModel, callbackFormModel } from './callbackModels';
import { listCodes } from '../../db/codes';
import { kbPanelModel } from '../../kb/panel';
import { cannedRepliesForRequest } from '../../commands/fillCannedReply';
import { splitPanel } from './splitPanel';
import { isUndoableMerge } from '../../db/merges';

export interface PanelMessages {
  /** a refusal or an invalid input, in French */
  alert?: string;
  /** what the action did */
  notice?: string;
  /** « Pas de réponse » was recorded: the callback form opens, prefilled */
  offerCallback?: boolean;
  /** a refused message's text, given back to be corrected, with its unfilled placeholders */
  messageDraft?: { text: string; unfilled: string[] };
}

function parseAnswers(json: string): Record<string, unknown> {
  try {
    const answers: unknown = JSON.parse(json);
    return typeof answers === 'object' && answers !== null ? (answers as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function citizenOf(ctx: Ctx, request: RequestRow, personal: PersonalRow | undefined, files: AttachmentRow[]) {
  if (!personal) {
    return null;
  }
  const [form, current] = await Promise.all([formVersionById(ctx.db, request.form_version_id), currentForm(ctx.db, request.form_type_id)]);
  return {
    name: `${personal.first_name} ${personal.last_name}`,
    email: personal.email,
    phone: personal.phone,
    address: personal.address,
    answers: labelledAnswers(form?.fields ?? null, parseAnswers(personal.answers), current.fields),
    files: files.filter((f) => f.message_id === null),
  };
}

/** Each message with its files. */
export function withFiles<M extends { id: number }>(thread: M[], files: AttachmentRow[]) {
  return thread.map((m) => ({ ...m, files: files.filter((f) => f.message_id === m.id) }));
}

const IN_FLIGHT = ['PENDING', 'COMMITTING'];

function emailRows(emails: EmailView[]) {
  return emails.map((e) => ({
    kind: t(`emailKind.${e.kind}`),
    to: e.to_address,
    subject: e.subject,
    at: e.sent_at ?? e.created_at,
    status: e.status,
    statusLabel: t(`emailStatus.${e.status}`),
    inFlight: IN_FLIGHT.includes(e.status),
    forCitizen: CITIZEN_EMAIL_KINDS.has(e.kind),
  }));
}

/**
 * The citizen's e-mails first; the notices to agents (new request, reminders…), as many
 * as there are agents and days, folded beneath.
 */
function emailGroups(emails: ReturnType<typeof emailRows>) {
  return { citizenEmails: emails.filter((e) => e.forCitizen), agentEmails: emails.filter((e) => !e.forCitizen) };
}

/** A lifecycle event's label; a reassignment says to whom and by whom (« Réattribuée à B. Durand par A. Martin »); a call its outcome. */
function eventLabel(e: EventView, wrapUps: Map<string, string>): string {
  if (e.type === 'CALL_LOGGED' && e.wrapUpCode) return t('ui.request.history.callLogged', { code: wrapUps.get(e.wrapUpCode) ?? e.wrapUpCode });
  if (e.type === PRIORITY_CHANGED && e.priority) {
    // Inside a sentence the words are lower case: « Priorité : moyenne → haute ».
    const word = (rank: number) => t(`priority.${priorityOf(rank)}`).toLocaleLowerCase('fr');
    const change = { from: word(e.priority.from), to: word(e.priority.to) };
    return e.agent ? t('ui.request.history.priorityBy', { ...change, by: e.agent.name }) : t('ui.request.history.priority', change);
  }
  if (e.type === TRANSFERRED && e.groups) {
    return t(e.agent ? 'ui.request.history.transferredBy' : 'ui.request.history.transferred', { ...e.groups, by: e.agent?.name ?? '' });
  }
  if (e.type === 'REASSIGNED' && e.to && e.agent) return t('ui.request.history.reassigned', { to: e.to.name, by: e.agent.name });
  if (e.type === 'REASSIGNED' && e.to) return t('ui.request.history.reassignedTo', { to: e.to.name });
  // Recorded before the target was: who did it is known.
  if (e.type === 'REASSIGNED' && e.agent) return t('ui.request.history.reassignedBy', { by: e.agent.name });
  return t(`event.${e.type}`);
}

async function historyOf(ctx: Ctx, requestId: number) {
  const [events, types, wrapUpCodes] = await Promise.all([listEvents(ctx.db, requestId), listEventTypes(ctx.db), listCodes(ctx.db, 'wrap_up_codes')]);
  const annotations = new Map(types.map((e) => [e.code, e.label]));
  const wrapUps = new Map(wrapUpCodes.map((c) => [c.code, c.label]));
  return events.map((e) => ({
    // A call the telephony connector reported says how long it lasted.
    label: e.callSeconds !== null ? t('ui.telephony.historyCall', { duration: callDurationWords(e.callSeconds) }) : annotations.get(e.type) ?? eventLabel(e, wrapUps),
    at: e.at,
    agent: e.agent?.name ?? null,
    comment: e.comment,
  }));
}

/** The first day a hold may end on: tomorrow, in Paris. */
function tomorrow(): string {
  return parisIsoDay(Date.now() + 24 * 3600 * 1000);
}

/** The action forms' data, read only for the actions the agent may take now. */
async function actionsOf(ctx: Ctx, agent: Agent, request: RequestRow, email: string | null, offerCallback: boolean) {
  const can = abilities(agent, request);
  const offerEmail = Boolean(request.citizen_has_email) && email !== null;
  const acknowledgement = can.take && offerEmail
    ? { to: email, ...(await previewCitizenEmail(ctx, request, 'ACKNOWLEDGEMENT', agent)) }
    : null;
  const agents = can.reassign
    ? (await agentsOfGroup(ctx.db, request.group_id)).filter((a) => a.id !== request.assignee_id)
    : [];
  return {
    can,
    any: Object.values(can).some(Boolean),
    offerEmail,
    acknowledgement,
    // Each colleague with their presence when it is not « Disponible »; an absent one is shown
    // but cannot be chosen (the policy's `receive` refuses them).
    agents: agents.map((a) => ({ code: a.code, label: namedWithPresence(a), absent: !isReachable(a) })),
    // A dispatcher taking it from the colleague who holds it confirms it (the checkbox).
    heldByColleague: can.reassign && request.assignee_id !== null && Number(request.assignee_id) !== agent.id,
    eventTypes: can.annotate ? await listEventTypes(ctx.db) : [],
    closingCodes: can.close ? await listClosingCodes(ctx.db) : [],
    minHoldDate: tomorrow(),
    // Any group but the request's own may be asked its opinion.
    consultGroups: can.consult ? (await listGroups(ctx.db)).filter((g) => Number(g.id) !== Number(request.group_id)).map((g) => ({ id: g.id, name: g.name })) : [],
    // The request's own priority is not offered: choosing it again would change nothing.
    // Every other group, by name: « Assigner à un autre groupe ».
    groups: can.transfer ? (await listGroups(ctx.db)).filter((g) => Number(g.id) !== Number(request.group_id)).map((g) => g.name) : [],
    priorities: can.prioritize ? PRIORITIES.filter((p) => p !== priorityOf(request.priority)).map((p) => ({ value: p, label: t(`priority.${p}`) })) : [],
    wrapUpCodes: can.logCall ? await listCodes(ctx.db, 'wrap_up_codes') : [],
    callbackForm: can.callback ? await callbackFormModel(ctx, request, offerCallback) : null,
  };
}

/** The consultations of the request, each with what this agent may do to it: answer (an expert), withdraw (the request's side). */
async function consultationsOf(ctx: Ctx, agent: Agent, request: RequestRow) {
  return (await consultationsOfRequest(ctx.db, request.id)).map((c) => {
    const pending = c.status === 'PENDING' && request.status === 'EN_ATTENTE';
    return {
      ...c,
      from_group_name: c.from_group_name ?? '',
      pending,
      answered: c.status === 'ANSWERED',
      canAnswer: pending && can(agent, 'answerConsultation', c),
      canWithdraw: pending && can(agent, 'withdrawConsultation', c),
    };
  });
}

export async function panelModel(ctx: Ctx, agent: Agent, request: RequestRow, messages: PanelMessages = {}) {
  const personal = await findPersonal(ctx.db, request.id);
  const files = await attachmentsOf(ctx.db, request.id);
  const thread = withFiles(await messagesOf(ctx.db, request.id, false), files);
  const emails = emailRows(await emailsOfRequest(ctx.db, request.id));
  const closed = request.status === 'CLOTUREE';
  const emailsInFlight = emails.some((e) => e.inFlight);
  const canWrite = abilities(agent, request).annotate;
  // Once closed, the workflow still sends the closing e-mail and purges: follow it until done.
  const poll = closed && (personal !== undefined || emailsInFlight);
  return {
    request,
    closingLabel: await closingLabel(ctx.db, request.closing_code),
    citizen: await citizenOf(ctx, request, personal, files),
    history: await historyOf(ctx, request.id),
    consultations: await consultationsOf(ctx, agent, request),
    // In one of the agent's own queues (not only read as a consulted expert).
    inOwnQueue: can(agent, 'read', request),
    emails,
    ...emailGroups(emails),
    poll,
    pollEmails: emailsInFlight && !poll,
    actions: await actionsOf(ctx, agent, request, personal?.email ?? null, messages.offerCallback === true),
    callbacks: await callbacksModel(ctx, agent, request),
    split: await splitPanel(ctx, agent, request),
    thread,
    canWrite,
    // The knowledge base beside it; its articles are inserted into the reply by whoever may write one.
    kb: await kbPanelModel(ctx, request, canWrite),
    // « Réponse type »: offered in the message form (views/partials/canned/picker.hbs).
    cannedReplies: canWrite ? await cannedRepliesForRequest(ctx, agent, request) : [],
    mergeUndo: request.status !== 'CLOTUREE' && can(agent, 'undoMerge', request) && (await isUndoableMerge(ctx.db, request.id)),
    citizenHasEmail: Boolean(personal?.email),
    ...messages,
  };
}
