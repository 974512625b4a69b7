// The OpenAPI 3.1 description of the JSON API, served at GET /api/openapi.json. Request
// bodies are generated from the zod schemas that validate them (commands/schemas.ts, the
// same for the agents' pages), so they cannot drift apart; the event types come from the
// state machine (workflows/lifecycle.ts); responses are written out beside what api.ts answers.
import { z } from 'zod';
import { PRIORITIES, STATUSES } from '../../workflows/definitions';
import { ASSIGNED, LIFECYCLE_EVENTS, PRIORITY_CHANGED, RELEASED } from '../../workflows/lifecycle';
import * as schema from '../commands/schemas';
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
    closingCode: nullable({ type: 'string' }),
    createdAt: dateTime,
    takenAt: nullable(dateTime),
    closedAt: nullable(dateTime),
    events: {
      type: 'array',
      items: object({
        type: { type: 'string', description: `${LIFECYCLE_EVENTS.join(', ')}, ${PRIORITY_CHANGED}, ${ASSIGNED}, ${RELEASED}, or an annotation type (NOTE…).` },
        at: dateTime,
        agent: nullable(ref('AgentRef')),
        to: { ...nullable(ref('AgentRef')), description: 'REASSIGNED: the agent the request was given to (null when not recorded, for events before 2026-11-30).' },
        comment: nullable({ type: 'string' }),
        priority: { ...object({ from: { enum: [...PRIORITIES] }, to: { enum: [...PRIORITIES] } }), description: `${PRIORITY_CHANGED} only: the priority before and after.` },
      }, ['type', 'at', 'agent', 'to', 'comment']),
    },
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
  CloseBody: bodyOf(schema.closeSchema),
  WebhookBody: bodyOf(schema.webhookSchema),
  PresenceBody: bodyOf(schema.presenceSchema),
};

const json = (s: Json, description: string) => ({ description, content: { 'application/json': { schema: s } } });
const error = (description: string) => json(ref('Error'), description);
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });

const E401 = { 401: error('Missing, wrong or revoked credential.') };
const E413 = { 413: error('Body over 1 MB (BODY_TOO_LARGE); nothing was written.') };
const E403_KIND = 'The credential is of the other kind (agent token where a partner key is needed, or the reverse).';
const referenceParam = { name: 'reference', in: 'path', required: true, schema: { type: 'string' } };

/** A partner key's list (its form types, its webhooks). */
function partnerList(operationId: string, summary: string, item: string, description: string): Json {
  return { operationId, summary, tags: ['partners'], responses: { 200: json({ type: 'array', items: ref(item) }, description), ...E401, 403: error(E403_KIND) } };
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
  '/api/requests/{reference}/close': action('close', 'CloseBody', 'Closes it with a closing code, optionally e-mailing the citizen; then its personal data is deleted.'),
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
    tags: [{ name: 'partners', description: 'Partner key (gpk_…)' }, { name: 'agents', description: 'Agent token (gat_…)' }],
    security: [{ bearer: [] }],
    paths,
    webhooks,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A partner key (gpk_…) or an agent token (gat_…).' } },
    },
  };
  return cached;
}

