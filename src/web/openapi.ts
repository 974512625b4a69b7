// The OpenAPI 3.1 description of the JSON API, served at GET /api/openapi.json. Request
// bodies are generated from the zod schemas that validate them (commands/schemas.ts, the
// same for the agents' pages), so they cannot drift apart; the event types come from the
// state machine (workflows/lifecycle.ts); responses are written out beside what api.ts answers.
import { z } from 'zod';
import { PRIORITIES, STATUSES } from '../../workflows/definitions';
import { ASSIGNED, CONSULTATION_ANSWERED, LIFECYCLE_EVENTS, PRIORITY_CHANGED, RELEASED, TRANSFERRED } from '../../workflows/lifecycle';
import { CALLBACK_EVENTS } from '../../workflows/callbacks';
import * as schema from '../commands/schemas';
import { mergeSchema } from '../commands/merge';
import { PRESENCES } from '../db/presence';

type Json = Record<string, unknown>;

/** A zod schema as the JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client may send. */
function bodyOf(s: z.ZodType): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  return json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (s: Json) => ({ anyOf: [s, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, unknown>, required = Object.keys(properties)): Json =>
  ({ type: 'object', properties, required, additionalProperties: false });

const schemas: Record<string, Json> = {
  Error: object({
    error: object({
      code: { type: 'string', description: 'Stable code, e.g. ALREADY_TAKEN, FORM_TYPE_NOT_ALLOWED, INVALID_INPUT.' },
      message: { type: 'string', description: 'The reason, in French, for a person to read.' },
      field: { type: 'string', description: 'The input at fault (400 only), e.g. citizen.email.' },
    }, ['code', 'message']),
  }),
  FormType: object({ slug: { type: 'string' }, title: { type: 'string' }, service: { type: 'string' } }),
  Submitted: object({ reference: { type: 'string' }, trackingCode: { type: 'string' }, status: { const: 'NON_TRAITEE' } }),
  AgentRef: object({ code: { type: 'string' }, name: { type: 'string' } }),
  Request: object({
    reference: { type: 'string', examples: ['DEM-2026-000123'] },
    status: { enum: [...STATUSES] },
    formType: { type: 'string' },
    service: { type: 'string' },
    assignee: nullable(ref('AgentRef')),
    priority: { enum: [...PRIORITIES], description: 'haute, moyenne or basse: filed with its form type\'s default, changed by agents (prioritize).' },
    group: { ...nullable({ type: 'string' }), description: 'The group whose queue it waits in (its name); agents see and act on the requests of their groups only.' },
    closingCode: nullable({ type: 'string' }),
    createdAt: dateTime,
    takenAt: nullable(dateTime),
    closedAt: nullable(dateTime),
    events: {
      type: 'array',
      items: object({
        type: { type: 'string', description: `${LIFECYCLE_EVENTS.join(', ')}, ${PRIORITY_CHANGED}, ${ASSIGNED}, ${RELEASED}, ${TRANSFERRED}, ${CONSULTATION_ANSWERED} (an expert group's answer, its comment), ${CALLBACK_EVENTS.join(', ')}, or an annotation type (NOTE…).` },
        at: dateTime,
        agent: nullable(ref('AgentRef')),
        to: { ...nullable(ref('AgentRef')), description: 'REASSIGNED: the agent the request was given to (null when not recorded, for events before 2026-11-30).' },
        comment: nullable({ type: 'string' }),
        priority: { ...object({ from: { enum: [...PRIORITIES] }, to: { enum: [...PRIORITIES] } }), description: `${PRIORITY_CHANGED} only: the priority before and after.` },
        groups: { ...object({ from: { type: 'string' }, to: { type: 'string' } }), description: `${TRANSFERRED} only: the group it left and the group it joined (names).` },
        wrapUpCode: { type: 'string', description: 'CALL_LOGGED only: the call\'s wrap-up code (JOINT, PAS_DE_REPONSE…, the administrator\'s list).' },
        durationSeconds: { type: 'integer', minimum: 0, description: 'APPEL_TELEPHONIQUE reported by the telephony connector only: the call\'s duration in seconds.' },
      }, ['type', 'at', 'agent', 'to', 'comment']),
    },
    callbacks: { type: 'array', items: ref('Callback'), description: 'Agents only: the callbacks still to make (planned or due), soonest first.' },
  }),
  Callback: object({
    id: { type: 'integer' },
    dueAt: dateTime,
    phone: { type: 'string', description: 'E.164 (+33612345678).' },
    agent: ref('AgentRef'),
    reassignToMe: { type: 'boolean', description: 'At its hour the request goes back to this agent if they are available (else the group is told).' },
    status: { enum: ['PLANNED', 'DUE'] },
    overdue: { type: 'boolean', description: 'Not done 15 minutes after its hour.' },
  }),
  PartnerRequest: {
    ...object({
      reference: { type: 'string', examples: ['DEM-2026-000123'] },
      status: { enum: [...STATUSES] },
      formType: { type: 'string' },
      service: { type: 'string' },
      closingCode: nullable({ type: 'string' }),
      createdAt: dateTime,
      takenAt: nullable(dateTime),
      closedAt: nullable(dateTime),
      events: { type: 'array', items: object({ type: { type: 'string' }, at: dateTime }) },
    }),
    description: 'A request as a partner key reads it: its status and milestones (type and date); no agent, no comment.',
  },
  Presence: object({
    presence: { enum: [...PRESENCES], description: 'DISPONIBLE, OCCUPE, ABSENT, PAUSE, REUNION or FORMATION. An ABSENT agent is given no request (a reassign to them is refused with AGENT_ABSENT) and no e-mail about new ones.' },
    since: dateTime,
  }),
  ChatRoom: object({
    room: { type: 'string', description: '« tous » (every agent) or the id of one of the caller\'s groups.', examples: ['tous', '3'] },
    name: { type: 'string' },
    unread: { type: 'integer', description: 'Colleagues\' messages the caller has not read (reading the room marks them read).' },
  }),
  ChatMessage: object({
    id: { type: 'integer' },
    room: { type: 'string' },
    author: ref('AgentRef'),
    body: { type: 'string', description: 'Plain text, as typed (references of requests included).' },
    request: { ...nullable(object({ reference: { type: 'string' }, formType: { type: 'string', description: 'The form type\'s title.' } })), description: 'The request the message names, only when the caller may read it; null otherwise (the reference then stays plain text in body).' },
    createdAt: dateTime,
  }),
  ChatMessages: object({
    messages: { type: 'array', items: ref('ChatMessage') },
    lastId: { type: 'integer', description: 'The last message returned (or the after given): the next call\'s after.' },
  }),
  Board: object({
    at: { ...dateTime, description: 'When the figures were read.' },
    day: { type: 'string', format: 'date', description: 'Today in Paris (Europe/Paris): the day of the « today » figures.' },
    groups: { type: 'array', items: ref('GroupBoard'), description: 'The groups the caller supervises (role SUPERVISOR; administrators: every group), by name.' },
  }),
  GroupBoard: object({
    id: { type: 'integer' },
    name: { type: 'string' },
    waiting: {
      ...object({ count: { type: 'integer' }, oldest: nullable(object({ reference: { type: 'string' }, createdAt: dateTime })) }),
      description: 'Open requests of the group\'s queue that nobody holds, and the one filed first.',
    },
    assigned: { type: 'array', items: object({ code: { type: 'string' }, name: { type: 'string' }, count: { type: 'integer' } }), description: 'Open requests of the group per assignee, the busiest first.' },
    presence: {
      type: 'array',
      items: object({ presence: { enum: [...PRESENCES] }, agents: { type: 'array', items: ref('AgentRef') } }),
      description: 'The group\'s active members by presence: every presence, in the order DISPONIBLE, OCCUPE, ABSENT, PAUSE, REUNION, FORMATION.',
    },
    callbacksDue: { type: 'integer', description: 'Callbacks of the group still to be made (planned or due) whose hour is before the end of the current hour.' },
    consultations: { ...object({ askedOfGroup: { type: 'integer' }, askedByGroup: { type: 'integer' } }), description: 'Consultations without an answer: asked of this group\'s experts, and asked by this group.' },
    nearDeletion: {
      ...object({ count: { type: 'integer' }, soonest: nullable(object({ reference: { type: 'string' }, deletionAt: dateTime })) }),
      description: 'Unprocessed requests (NON_TRAITEE) whose deletion date is within their form type\'s deletion warning delay, and the first to be deleted.',
    },
    today: {
      ...object({
        taken: { type: 'integer', description: 'TAKEN events today.' },
        closed: { type: 'integer', description: 'CLOSED events today.' },
        closedByCode: { type: 'array', items: ref('CodeCount') },
        callsByWrapUpCode: { type: 'array', items: ref('CodeCount'), description: 'Calls logged today, by wrap-up code.' },
      }),
      description: 'Today (Paris day) in the requests now in the group\'s queue.',
    },
  }),
  CodeCount: object({ code: { type: 'string' }, label: { type: 'string' }, count: { type: 'integer' } }),
  Webhook: object({ id: { type: 'integer' }, url: { type: 'string', format: 'uri' }, createdAt: dateTime }),
  WebhookCreated: object({
    id: { type: 'integer' },
    url: { type: 'string', format: 'uri' },
    createdAt: dateTime,
    secret: { type: 'string', description: 'Keys the HMAC of the X-Guichet-Signature header. Shown once.' },
  }),
  WebhookDelivery: object({
    id: { type: 'integer', description: 'The delivery, the same on every attempt (also in X-Guichet-Delivery): ignore one already handled.' },
    event: { enum: [...LIFECYCLE_EVENTS] },
    reference: { type: 'string' },
    formType: { type: 'string' },
    status: { enum: [...STATUSES] },
    previousStatus: { enum: [...STATUSES] },
    closingCode: { type: 'string' },
    seq: { type: 'integer', description: 'Order of the event in the request\'s history (deliveries may arrive out of order).' },
    at: dateTime,
  }, ['id', 'event', 'reference', 'formType', 'status', 'seq', 'at']),
  SubmitBody: bodyOf(schema.submitSchema),
  TakeBody: bodyOf(schema.takeSchema),
  HoldBody: bodyOf(schema.holdSchema),
  ResumeBody: bodyOf(schema.resumeSchema),
  ReassignBody: bodyOf(schema.reassignSchema),
  AnnotateBody: bodyOf(schema.annotateSchema),
  PrioritizeBody: bodyOf(schema.prioritizeSchema),
  TransferBody: bodyOf(schema.transferSchema),
  CloseBody: bodyOf(schema.closeSchema),
  SplitBody: { ...bodyOf(schema.splitSchema), description: 'parts: exactly two, each with the message (visible to the citizen) saying what that new request is about; message: the visible message posted on the original (a default one naming both new references when absent).' },
  Split: object({
    original: { ...ref('Request'), description: 'The original, now CLOTUREE with closingCode SCINDEE; its personal data is then deleted.' },
    parts: { type: 'array', items: ref('Request'), minItems: 2, maxItems: 2, description: 'The two new requests, EN_COURS, assigned to the caller.' },
  }),
  ConsultBody: bodyOf(schema.consultSchema),
  AnswerConsultationBody: bodyOf(schema.answerConsultationSchema),
  WithdrawConsultationBody: bodyOf(schema.withdrawConsultationSchema),
  Consultation: object({
    id: { type: 'integer' },
    request: { type: 'string', description: 'The reference of the request consulted on.' },
    status: { enum: ['PENDING', 'ANSWERED', 'WITHDRAWN'] },
    fromGroup: nullable({ type: 'string' }),
    toGroup: { type: 'string' },
    askedBy: { type: 'string', description: 'The name of the agent who asked.' },
    askedAt: dateTime,
    question: nullable({ type: 'string' }),
    answeredBy: nullable({ type: 'string', description: 'Who answered, or withdrew it.' }),
    answeredAt: nullable(dateTime),
    answer: nullable({ type: 'string' }),
  }),
  CallbackBody: bodyOf(schema.callbackSchema),
  MergeBody: bodyOf(mergeSchema),
  Merged: {
    oneOf: [
      object({ status: { const: 'DONE' }, reference: { type: 'string', description: 'The new request.' }, mergeId: { type: 'integer' } }),
      object({ status: { const: 'PENDING' }, mergeId: { type: 'integer' } }),
    ],
  },
  Unmerged: object({ status: { const: 'UNDONE' }, references: { type: 'array', items: { type: 'string' }, description: 'The requests reopened as they were.' } }),
  MoveCallbackBody: bodyOf(schema.moveCallbackSchema),
  LogCallBody: bodyOf(schema.logCallSchema),
  PhoneEventBody: bodyOf(schema.phoneEventSchema),
  PhoneCall: object({
    callId: { type: 'string' },
    status: { enum: ['RINGING', 'ANSWERED', 'ENDED'] },
    agent: { type: 'string', description: 'The code of the agent whose call it is (who answered it).' },
    durationSeconds: { ...nullable({ type: 'integer', minimum: 0 }), description: 'ENDED after being answered: whole seconds from « answered » to « hangup »; null otherwise.' },
  }),
  WebhookBody: bodyOf(schema.webhookSchema),
  PresenceBody: bodyOf(schema.presenceSchema),
  ChatMessageBody: { ...bodyOf(schema.chatMessageSchema), description: 'body: 1 to 2000 characters once trimmed (CHAT_EMPTY, CHAT_TOO_LONG); request: a reference to link, added to the body when it does not name it (CHAT_REFERENCE_INVALID when not shaped like one). Whether such a request exists is never said.' },
};

const json = (s: Json, description: string) => ({ description, content: { 'application/json': { schema: s } } });
const error = (description: string) => json(ref('Error'), description);
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });

const E401 = { 401: error('Missing, wrong or revoked credential.') };
const E413 = { 413: error('Body over 1 MB (BODY_TOO_LARGE); nothing was written.') };
const E403_KIND = 'The credential is of the other kind (agent token where a partner key is needed, or the reverse).';
const referenceParam = { name: 'reference', in: 'path', required: true, schema: { type: 'string' } };
const roomParam = { name: 'room', in: 'path', required: true, schema: { type: 'string' }, description: '« tous » or a group\'s id.' };

/** A partner key's list (its form types, its webhooks). */
function partnerList(operationId: string, summary: string, item: string, description: string): Json {
  return { operationId, summary, tags: ['partners'], responses: { 200: json({ type: 'array', items: ref(item) }, description), ...E401, 403: error(E403_KIND) } };
}

/** An agent's POST on one thing (a request, a consultation): its body, and its answers besides 401 and 413. */
function agentPost(operationId: string, summary: string, parameter: Json, bodyName: string, responses: Json): Json {
  return { post: { operationId, summary, tags: ['agents'], parameters: [parameter], requestBody: body(bodyName), responses: { ...responses, ...E401, ...E413 } } };
}

/** An answer to, or the withdrawal of, a consultation. */
function consultationAction(operationId: string, bodyName: string, summary: string): Json {
  return agentPost(operationId, summary, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }, bodyName, {
    200: json(ref('Consultation'), 'Done: the consultation as it now stands.'),
    400: error('Bad input; error.field names it.'),
    403: error('Not a member of the consulted group (answer), nor of the request\'s group nor who asked (withdraw).'),
    404: error('No such consultation (CONSULTATION_NOT_FOUND).'),
    409: error('Already answered (CONSULTATION_ANSWERED) or withdrawn (CONSULTATION_WITHDRAWN), or the request closed; nothing was written.'),
  });
}

function action(name: string, bodyName: string, summary: string): Json {
  return {
    post: {
      operationId: name,
      summary,
      tags: ['agents'],
      parameters: [referenceParam],
      requestBody: body(bodyName),
      responses: {
        200: json(ref('Request'), 'Accepted: the request as it now stands.'),
        400: error('Bad input; error.field names it.'),
        ...E401,
        ...E413,
        403: error(`The request is of a service the agent does not belong to. ${E403_KIND}`),
        404: error('No such request.'),
        409: error('Refused: illegal transition, or another agent was faster (French reason in error.message).'),
        503: error('Temporal or the database is unavailable (UNAVAILABLE), or the workflow did not confirm the action in time (ACTION_UNCONFIRMED: it may have been applied; read the request before retrying).'),
      },
    },
  };
}

const callbackIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };

/** An action answering `status` instead of 200 (a creation). */
function withStatus(a: Json, status: number): Json {
  const post = a.post as Json;
  const { 200: ok, ...others } = post.responses as Json;
  return { post: { ...post, responses: { [status]: ok, ...others } } };
}

/** An operation without a body (a DELETE). */
function omitBody(op: Json): Json {
  const { requestBody: _none, ...rest } = op;
  return rest;
}

const paths: Record<string, Json> = {
  '/api/openapi.json': {
    get: { operationId: 'openapi', summary: 'This document.', security: [], responses: { 200: { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } } },
  },
  '/api/form-types': {
    get: partnerList('listFormTypes', 'The form types this partner key may use.', 'FormType', 'The key\'s form types.'),
  },
  '/api/requests': {
    post: {
      operationId: 'submitRequest', summary: 'Files a request of one of the key\'s form types.', tags: ['partners'],
      parameters: [{
        name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        description: 'Makes a retry safe (no answer, a timeout, a 503): a filing with a key this partner key used in the last 24 hours, with the same body, files nothing and answers as the first time (same reference, tracking code and status; header Idempotent-Replayed: true). Attempts sent at once with the same key file once. A UUID per request is a good key.',
      }],
      requestBody: body('SubmitBody'),
      responses: {
        201: { ...json(ref('Submitted'), 'Filed; its workflow runs. Or, with an Idempotency-Key already used with this body, the first answer.'), headers: { 'Idempotent-Replayed': { description: '"true" when this is the answer of an earlier filing with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } } } },
        400: error('Bad input, an unknown form type, or a malformed Idempotency-Key (IDEMPOTENCY_KEY_INVALID); error.field names it.'),
        ...E401,
        ...E413,
        403: error(`The key may not use this form type (FORM_TYPE_NOT_ALLOWED); nothing was filed. ${E403_KIND}`),
        422: error('The Idempotency-Key was used in the last 24 hours with another body (IDEMPOTENCY_KEY_REUSED; error.message names the request it filed); nothing was filed.'),
        503: error('Temporal or the database is unavailable (UNAVAILABLE); nothing was filed, or, on a retry with an Idempotency-Key, filed and its workflow to be started: retry.'),
      },
    },
  },
  '/api/requests/{reference}': {
    get: {
      operationId: 'getRequest', summary: 'A request: whole for an agent of its service; status and milestones for a partner (only of its form types).', tags: ['partners', 'agents'],
      parameters: [referenceParam],
      responses: {
        200: json({ oneOf: [ref('Request'), ref('PartnerRequest')] }, 'The request: Request for an agent token, PartnerRequest (status and milestones, no agent or comment) for a partner key.'),
        ...E401,
        403: error('The request is of a service the agent does not belong to.'),
        404: error('No such request, or (partner key) one of another form type.'),
      },
    },
  },
  '/api/requests/{reference}/take': action('take', 'TakeBody', 'Takes the request (NON_TRAITEE → EN_COURS), optionally e-mailing the citizen.'),
  '/api/requests/{reference}/hold': action('hold', 'HoldBody', 'Puts it on hold (EN_COURS → EN_ATTENTE), optionally until a date: a date alone (YYYY-MM-DD) means 08:00 Paris time (Europe/Paris) that day, as on the agents\' page; a date-time with an offset means that instant.'),
  '/api/requests/{reference}/resume': action('resume', 'ResumeBody', 'Resumes it (EN_ATTENTE → EN_COURS).'),
  '/api/requests/{reference}/reassign': action('reassign', 'ReassignBody', 'Gives it to another agent of its group, not an absent one (AGENT_ABSENT); status unchanged. An agent hands over their own or an unassigned request; a colleague\'s only a dispatcher or supervisor of the group (403 otherwise), and only once confirmed: 409 CONFIRMATION_REQUIRED names its holder, send again with confirm: true.'),
  '/api/requests/{reference}/assign': action('assign', 'ResumeBody', 'S\'assigner: an unassigned open request of one of the agent\'s groups becomes theirs (NON_TRAITEE → EN_COURS, event TAKEN; otherwise the status stays, event ASSIGNED). 409 ALREADY_ASSIGNED names who holds it.'),
  '/api/requests/{reference}/release': action('release', 'ResumeBody', 'Libérer: back to its group\'s queue, unassigned, status unchanged (event RELEASED). Its holder, or a dispatcher or supervisor of the group. 409 NOT_ASSIGNED when nobody holds it.'),
  '/api/requests/next': {
    post: {
      operationId: 'next',
      summary: '« Traiter la suivante »: assigns the caller the most urgent unassigned open request of their groups (priority, then nearest deletion date, then oldest); two callers at once never get the same one.',
      tags: ['agents'],
      responses: {
        200: json(ref('Request'), 'The request now assigned to the caller.'),
        ...E401,
        403: error(E403_KIND),
        404: error('NOTHING_TO_SERVE: no unassigned open request waits in the caller\'s groups.'),
        409: error('NOT_AVAILABLE: the caller\'s presence is not DISPONIBLE.'),
        503: error('Temporal or the database is unavailable.'),
      },
    },
  },
  '/api/requests/{reference}/annotate': action('annotate', 'AnnotateBody', 'Adds an event to its history.'),
  '/api/requests/{reference}/prioritize': action('prioritize', 'PrioritizeBody', 'Changes its priority (haute, moyenne, basse) on an open request; status unchanged; the history records from what to what. 409 SAME_PRIORITY when it already has it, ALREADY_CLOSED when closed.'),
  '/api/requests/{reference}/transfer': action('transfer', 'TransferBody', 'Moves it to another group\'s queue (« Assigner à un autre groupe ») with a reason; nobody holds it any more, status unchanged; from then on only that group\'s agents may act on it. 400 UNKNOWN_GROUP, 409 SAME_GROUP, MOVED_TO_OTHER_GROUP when another agent moved it first.'),
  '/api/requests/{reference}/close': action('close', 'CloseBody', 'Closes it with a closing code, optionally e-mailing the citizen; then its personal data is deleted.'),
  '/api/requests/{reference}/split': agentPost(
    'split',
    'Scinder: the request becomes two new requests of the same citizen, form type and group, each holding a copy of all its messages and attachments (each marked with the reference it came from) and its own visible message, both EN_COURS and assigned to the caller; the original gets a visible message and is closed (SCINDEE), and its page links to both; the citizen gets one e-mail (template SPLIT) with both references and tracking codes. One durable workflow: it ends fully split or not at all. Who may: the request\'s holder, anyone of its group when unassigned, or a dispatcher or supervisor of the group.',
    referenceParam, 'SplitBody', {
      200: json(ref('Split'), 'Split: the original and its two parts, as they now stand.'),
      400: error('Bad input: not exactly two parts, or a part\'s message empty or too long; error.field names it. Nothing was written.'),
      403: error('Not in one of the agent\'s groups (FORBIDDEN), or held by a colleague (SPLIT_HELD_BY_COLLEAGUE).'),
      404: error('No such request.'),
      409: error('Closed (ALREADY_CLOSED, also when another agent closed it while it was being split), or already being split (SPLIT_IN_PROGRESS); nothing changed.'),
      503: error('Temporal or the database is unavailable (UNAVAILABLE: nothing changed), or the split is under way but not confirmed in time (SPLIT_UNCONFIRMED: it completes, or is withdrawn, by itself).'),
    },
  ),
  '/api/requests/{reference}/consultations': agentPost(
    'consult',
    'Asks another group\'s opinion (« Demander l\'avis d\'un expert »): the request goes on hold (EN_COURS → EN_ATTENTE, « avis demandé à … ») until a member of that group answers or the question is withdrawn; the group\'s members are reminded after its delay, and again.',
    referenceParam, 'ConsultBody', {
      201: json(ref('Consultation'), 'Asked: the consultation, pending.'),
      400: error('Bad input, an unknown group (UNKNOWN_CONSULTED_GROUP), or the request\'s own group (CONSULT_OWN_GROUP); error.field names it.'),
      403: error('The request is not in one of the agent\'s groups.'),
      404: error('No such request.'),
      409: error('Not EN_COURS (NOT_TAKEN, ALREADY_ON_HOLD, ALREADY_CLOSED); nothing was written.'),
    },
  ),
  '/api/consultations': {
    get: {
      operationId: 'listConsultations', summary: 'The consultations awaiting an answer from the calling agent\'s groups, oldest first.', tags: ['agents'],
      responses: { 200: json({ type: 'array', items: ref('Consultation') }, 'The pending consultations.'), ...E401, 403: error(E403_KIND) },
    },
  },
  '/api/consultations/{id}/answer': consultationAction('answerConsultation', 'AnswerConsultationBody', 'Answers it (a member of the consulted group): the answer becomes an internal note (CONSULTATION_ANSWERED) and the request resumes (EN_COURS) for the agent who asked, who is e-mailed.'),
  '/api/consultations/{id}/withdraw': consultationAction('withdrawConsultation', 'WithdrawConsultationBody', 'Withdraws it (who asked, or a member of the request\'s group): the request resumes (EN_COURS).'),
  '/api/requests/{reference}/calls': action('logCall', 'LogCallBody', 'Records a call\'s outcome: a CALL_LOGGED event with its wrap-up code (UNKNOWN_WRAP_UP_CODE otherwise) and an optional note; the request\'s due callbacks are done.'),
  '/api/requests/{reference}/callbacks': withStatus(action('planCallback', 'CallbackBody',
    'Plans a callback on an open request: date (YYYY-MM-DD) and time (HH:MM or HH:MM:SS) in Paris time (Europe/Paris), in the future; the phone number in international format or French; reassignToMe: at its hour the request goes back to the agent if available. Answers 201 with the request and its callbacks.'), 201),
  '/api/requests/{reference}/callbacks/{id}': {
    patch: { ...action('moveCallback', 'MoveCallbackBody', 'Moves a planned or due callback to a new date and time (Paris time, in the future).').post as Json, parameters: [referenceParam, callbackIdParam] },
    delete: { ...omitBody(action('cancelCallback', 'MoveCallbackBody', 'Cancels a planned or due callback.').post as Json), parameters: [referenceParam, callbackIdParam] },
  },
  '/api/merges': {
    post: {
      operationId: 'merge',
      summary: 'Fusionner: 2 to 10 open requests of one citizen (same citizen file, or same e-mail address), of the caller\'s groups, into a new request assigned to the caller (EN_COURS, event MERGED_FROM) holding all their messages and files in time order, each marked with its source. Each source is closed with DOUBLON (event MERGED_INTO, « fusionnée dans … »); the citizen gets one e-mail (MERGED) with the new reference and tracking code; the old tracking codes lead to the new request. One durable workflow: merged whole or not at all.',
      tags: ['agents'],
      requestBody: body('MergeBody'),
      responses: {
        201: json(ref('Merged'), 'Merged: the new request\'s reference.'),
        202: json(ref('Merged'), 'PENDING: the merge goes on (Temporal slow); it ends by itself, merged whole or refused with nothing changed.'),
        400: error('Fewer than 2 or more than 10 references (MERGE_TOO_FEW, MERGE_TOO_MANY), or bad input.'),
        ...E401,
        ...E413,
        403: error(`A request is in a group the agent does not belong to (MERGE_OTHER_GROUP, error.message names it); nothing changed. ${E403_KIND}`),
        404: error('A reference names no request (MERGE_UNKNOWN_REQUEST); nothing changed.'),
        409: error('Refused, nothing changed: a request is closed (MERGE_SOURCE_CLOSED), they are not of one citizen (MERGE_DIFFERENT_CITIZENS), or one is being merged (MERGE_IN_PROGRESS).'),
        503: error('Temporal or the database is unavailable.'),
      },
    },
  },
  '/api/requests/{reference}/unmerge': {
    post: {
      operationId: 'unmerge',
      summary: 'Annuler la fusion: on the request a merge made, while untouched (no action, no message since): the sources reopen as they were (status, assignee, messages; event MERGE_UNDONE) and this request is withdrawn (CLOTUREE, SANS_SUITE).',
      tags: ['agents'],
      parameters: [referenceParam],
      responses: {
        200: json(ref('Unmerged'), 'Undone.'),
        ...E401,
        403: error(`The request is not in one of the agent's groups. ${E403_KIND}`),
        404: error('No such request.'),
        409: error('MERGE_TOUCHED (an action or a message since the merge) or MERGE_NOT_UNDOABLE (no merge made it, or it was undone); nothing changed.'),
        503: error('Temporal or the database is unavailable.'),
      },
    },
  },
  '/api/me/presence': {
    get: {
      operationId: 'getPresence', summary: 'The calling agent\'s presence, and since when.', tags: ['agents'],
      responses: { 200: json(ref('Presence'), 'The presence.'), ...E401, 403: error(E403_KIND) },
    },
    put: {
      operationId: 'setPresence', summary: 'Sets the calling agent\'s presence (recorded with who and when).', tags: ['agents'],
      requestBody: body('PresenceBody'),
      responses: { 200: json(ref('Presence'), 'Set.'), 400: error('Not a presence; error.field names it.'), ...E401, ...E413, 403: error(E403_KIND) },
    },
  },
  '/api/chat/rooms': {
    get: {
      operationId: 'listChatRooms', summary: 'The caller\'s rooms of agent assistance (« Tous les agents », then their groups\'), with their unread counts.', tags: ['agents'],
      responses: { 200: json({ type: 'array', items: ref('ChatRoom') }, 'The rooms.'), ...E401, 403: error(E403_KIND) },
    },
  },
  '/api/chat/rooms/{room}/messages': {
    get: {
      operationId: 'listChatMessages', summary: 'A room\'s messages, oldest first: its last 100, or (after) the next 100 after that message. What is returned is marked read.', tags: ['agents'],
      parameters: [roomParam, { name: 'after', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } }],
      responses: { 200: json(ref('ChatMessages'), 'The messages.'), 400: error('after is not a message id.'), ...E401, 403: error(E403_KIND), 404: error('No such room, or the room of a group the caller is not a member of (CHAT_ROOM_NOT_FOUND).') },
    },
    post: {
      operationId: 'postChatMessage', summary: 'Posts a message in a room the caller belongs to.', tags: ['agents'],
      parameters: [roomParam],
      requestBody: body('ChatMessageBody'),
      responses: { 201: json(ref('ChatMessage'), 'Posted: the message as the caller sees it.'), 400: error('Empty or too long body, or a request that is no reference; error.field names it.'), ...E401, ...E413, 403: error(E403_KIND), 404: error('No such room, or the room of a group the caller is not a member of (CHAT_ROOM_NOT_FOUND); nothing was posted.') },
    },
  },
  '/api/supervision': {
    get: {
      operationId: 'getSupervision', summary: 'The supervisor\'s board: the live figures and today\'s of each group the calling agent supervises.', tags: ['agents'],
      responses: { 200: json(ref('Board'), 'The figures, group by group.'), ...E401, 403: error(`The agent supervises no group (FORBIDDEN). ${E403_KIND}`) },
    },
  },
  '/api/telephonie/appels': {
    post: {
      operationId: 'reportCall',
      summary: 'A telephony connector reports a call of an agent\'s line: « ringing », « answered » (the agent\'s open Guichet page shows the caller\'s files and open requests within 2 s, matched by the number in E.164), « hangup » (the call, with its duration, becomes an APPEL_TELEPHONIQUE event of the request the agent had open, or the agent chooses one, then the wrap-up code).',
      description: 'Needs a telephony key (gtk_…, created by an administrator: /admin/telephonie or `npx guichet telephonie cle create`). Each report is idempotent: the same event of the same callId twice changes nothing. A call moves only forward; « answered » without « ringing » is accepted. The answer carries nothing about the caller or the requests.',
      tags: ['telephony'],
      requestBody: body('PhoneEventBody'),
      responses: {
        200: json(ref('PhoneCall'), 'The call as Guichet now holds it.'),
        400: error('Bad input (INVALID_INPUT): an unknown event, no callId, a caller that is no phone number, neither or both of agent and line; error.field names it. Nothing was written.'),
        ...E401,
        ...E413,
        403: error('The credential is not a telephony key (an agent token or a partner key): FORBIDDEN.'),
        404: error('No active agent has this code or line (PHONE_AGENT_NOT_FOUND), or a « hangup » of a call never reported (PHONE_CALL_NOT_FOUND).'),
        409: error('« answered » for a call already ended (PHONE_CALL_ENDED).'),
      },
    },
  },
  '/api/webhooks': {
    post: {
      operationId: 'registerWebhook', summary: 'Registers a URL that receives the status changes of the key\'s form types.', tags: ['partners'],
      requestBody: body('WebhookBody'),
      responses: {
        201: json(ref('WebhookCreated'), 'Registered; the secret is shown this once.'),
        400: error('Not an http(s) URL.'),
        ...E401,
        403: error(E403_KIND),
        409: error('The key has too many webhooks.'),
      },
    },
    get: partnerList('listWebhooks', 'The key\'s webhooks (without their secrets).', 'Webhook', 'The webhooks.'),
  },
  '/api/webhooks/{id}': {
    delete: {
      operationId: 'deleteWebhook', summary: 'Removes one of the key\'s webhooks; its pending deliveries are cancelled.', tags: ['partners'],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 204: { description: 'Removed.' }, ...E401, 403: error(E403_KIND), 404: error('No such webhook for this key.') },
    },
  },
};

const webhooks = {
  requestStatusChanged: {
    post: {
      summary: 'Sent to each webhook of a key for every status change of a request of its form types. Never any personal data.',
      description: 'Retried with exponential backoff until a 2xx answer (or given up after WEBHOOK_GIVE_UP). '
        + 'X-Guichet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the webhook\'s secret>; '
        + 'check it and that t is recent before trusting the body.',
      parameters: [
        { name: 'X-Guichet-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' } },
        { name: 'X-Guichet-Delivery', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'X-Guichet-Event', in: 'header', required: true, schema: { type: 'string' } },
      ],
      requestBody: body('WebhookDelivery'),
      responses: { '2XX': { description: 'Received; not sent again.' }, default: { description: 'Anything else: sent again later.' } },
    },
  },
};

let cached: Json | null = null;

export function openApiDocument(): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Guichet API',
      version: '1',
      description: 'Partners file and follow requests of their key\'s form types and receive their status changes by webhook; agents act on requests. Messages are in French.',
    },
    tags: [{ name: 'partners', description: 'Partner key (gpk_…)' }, { name: 'agents', description: 'Agent token (gat_…)' }, { name: 'telephony', description: 'Telephony connector key (gtk_…)' }],
    security: [{ bearer: [] }],
    paths,
    webhooks,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A partner key (gpk_…), an agent token (gat_…) or a telephony connector key (gtk_…).' } },
    },
  };
  return cached;
}

