import express, { type NextFunction, type Request, type Response } from 'express';
import { annotate } from '../commands/annotate';
import { answerConsultation, consult, withdrawConsultation } from '../commands/consult';
import { findConsultation, pendingConsultations, type ConsultationRow } from '../db/consultations';
import { assign } from '../commands/assign';
import { release } from '../commands/release';
import { serveNext } from '../commands/next';
import { prioritize } from '../commands/prioritize';
import { transfer } from '../commands/transfer';
import { split } from '../commands/split';
import { cancelCallback, moveCallback, planCallback } from '../commands/callbacks';
import { logCall } from '../commands/logCall';
import { openCallbacksOf } from '../db/callbacks';
import { isOverdue } from '../../workflows/callbacks';
import { close } from '../commands/close';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { hold } from '../commands/hold';
import { reassign } from '../commands/reassign';
import { setOwnPresence } from '../commands/setPresence';
import { presenceNow } from '../db/presence';
import { resume } from '../commands/resume';
import { postChatMessage, postedMessage, readChat, roomsWithUnread, type ChatMessage } from '../commands/chat';
import { openRoom, type Room } from '../chat/rooms';
import { submit } from '../commands/submit';
import { merge, mergeSchema } from '../commands/merge';
import { undoMerge } from '../commands/undoMerge';
import { take } from '../commands/take';
import { findFormType, listFormTypes } from '../db/formTypes';
import { bodyHash } from '../db/idempotency';
import { refusedDestination } from '../partners/destinations';
import { deleteWebhook, listWebhooks, registerWebhook } from '../partners/webhooks';
import { findRequest, listEvents, type RequestRow } from '../db/requests';
import { t } from '../i18n';
import { priorityOf } from '../../workflows/definitions';
import { authorize, can, isAgent } from '../policies';
import { withConsultedGroups } from '../commands/context';
import { actorOf, agentOf, bearer, partnerOf } from './auth';
import { openApiDocument } from './openapi';
import { telephonyApiRoutes } from './telephonyApi';
import { boardFor } from './routes/board';
import { clientErrorOf, refuseDeepJson, sendClientError } from './bodyErrors';
import * as schema from '../commands/schemas';
import { parseInput as parse } from '../commands/schemas';
import { countAction } from '../ops/metrics';

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).catch(next);
};

/**
 * A request as the caller may read it. An agent sees who holds it and the history with
 * its comments (internal notes) and their authors; a partner only the status and the
 * milestones (type and date): no agent's name, no comment.
 */
async function present(ctx: Ctx, request: RequestRow, caller: Request['caller']) {
  const events = await listEvents(ctx.db, request.id);
  const common = {
    reference: request.reference,
    status: request.status,
    formType: request.form_type_slug,
    service: request.service_slug,
    closingCode: request.closing_code,
    createdAt: iso(request.created_at),
    takenAt: iso(request.taken_at),
    closedAt: iso(request.closed_at),
  };
  if (caller?.kind !== 'agent') {
    return { ...common, events: events.map((e) => ({ type: e.type, at: iso(e.at) })) };
  }
  const now = Date.now();
  return {
    ...common,
    assignee: request.assignee_code ? { code: request.assignee_code, name: request.assignee_name } : null,
    priority: priorityOf(request.priority),
    group: request.group_name,
    events: events.map((e) => ({
      type: e.type, at: iso(e.at), agent: e.agent, to: e.to, comment: e.comment,
      ...(e.priority ? { priority: { from: priorityOf(e.priority.from), to: priorityOf(e.priority.to) } } : {}),
      ...(e.groups ? { groups: e.groups } : {}),
      ...(e.wrapUpCode ? { wrapUpCode: e.wrapUpCode } : {}),
      ...(e.callSeconds !== null ? { durationSeconds: e.callSeconds } : {}),
    })),
    callbacks: (await openCallbacksOf(ctx.db, request.id)).map((c) => ({
      id: c.id, dueAt: iso(c.due_at), phone: c.phone, agent: { code: c.agent_code, name: c.agent_name },
      reassignToMe: Boolean(c.reassign_to_me), status: c.status, overdue: isOverdue(c, now),
    })),
  };
}

/** A consultation as the API answers it. */
function presentConsultation(c: ConsultationRow) {
  return {
    id: c.id, request: c.reference, status: c.status, fromGroup: c.from_group_name, toGroup: c.to_group_name,
    askedBy: c.asked_by_name, askedAt: iso(c.asked_at), question: c.question,
    answeredBy: c.answered_by_name, answeredAt: iso(c.answered_at), answer: c.answer,
  };
}

/** The `Idempotency-Key` header of a filing, if any: 1 to 255 printable ASCII characters. */
function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    return undefined;
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw CommandError.of(400, 'IDEMPOTENCY_KEY_INVALID', {}, 'Idempotency-Key');
  }
  return key;
}

/** A known form type outside the key's scope is refused before anything is written. */
async function refuseOutOfScope(ctx: Ctx, caller: ReturnType<typeof partnerOf>, slug: string): Promise<void> {
  const formType = await findFormType(ctx.db, slug);
  if (formType) {
    authorize(caller, 'file', formType);
  }
}

/** A partner's webhooks: register (the secret is shown once), list, remove. */
function webhookRoutes(ctx: Ctx, partner: express.RequestHandler): express.Router {
  const router = express.Router();
  router.post('/webhooks', partner, wrap(async (req, res) => {
    const body = parse(schema.webhookSchema, req.body);
    const refused = await refusedDestination(body.url, ctx.config.webhookAllowPrivate);
    if (refused) {
      throw new CommandError(400, 'INVALID_INPUT', `url : ${refused}`, 'url');
    }
    res.status(201).json(await registerWebhook(ctx.db, partnerOf(req).tokenId, body.url));
  }));
  router.get('/webhooks', partner, wrap(async (req, res) => {
    res.json(await listWebhooks(ctx.db, partnerOf(req).tokenId));
  }));
  router.delete('/webhooks/:id', partner, wrap(async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw CommandError.of(404, 'WEBHOOK_NOT_FOUND');
    }
    await deleteWebhook(ctx.db, partnerOf(req).tokenId, id);
    res.status(204).end();
  }));
  return router;
}

/** A message of agent assistance as the calling agent sees it: the request it names only if they may read it. */
const chatMessageJson = (room: Room, m: ChatMessage) => ({
  id: m.id, room: room.slug, author: m.author, body: m.body,
  request: m.request ? { reference: m.request.reference, formType: m.request.title } : null,
  createdAt: iso(m.createdAt),
});

/** Agent assistance: the caller's rooms, a room's messages (read, then marked read), posting. */
function chatApiRoutes(ctx: Ctx, agent: express.RequestHandler): express.Router {
  const router = express.Router();
  router.get('/chat/rooms', agent, wrap(async (req, res) => {
    res.json((await roomsWithUnread(ctx, agentOf(req))).map((r) => ({ room: r.slug, name: r.name, unread: r.unread })));
  }));
  router.get('/chat/rooms/:room/messages', agent, wrap(async (req, res) => {
    const room = await openRoom(ctx.db, agentOf(req), String(req.params.room));
    const { after } = parse(schema.chatAfterSchema, req.query);
    const { messages, lastId } = await readChat(ctx, agentOf(req), room, after ?? null);
    res.json({ messages: messages.map((m) => chatMessageJson(room, m)), lastId });
  }));
  router.post('/chat/rooms/:room/messages', agent, wrap(async (req, res) => {
    const { room, id } = await postChatMessage(ctx, agentOf(req), String(req.params.room), parse(schema.chatMessageSchema, req.body));
    res.status(201).json(chatMessageJson(room, await postedMessage(ctx, agentOf(req), room, id)));
  }));
  return router;
}

/** The JSON API of partners and agents (the contract is in the README). */
export function apiRouter(ctx: Ctx): express.Router {
  const router = express.Router();
  // What the API answers is about requests (personal data for agents): never kept by a cache.
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(express.json({ limit: '1mb', verify: refuseDeepJson }));
  const partner = bearer(ctx.db, ['partner']);
  const agent = bearer(ctx.db, ['agent']);
  const anyone = bearer(ctx.db, ['agent', 'partner']);

  // The document describing this API: public, like any API reference.
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  // A partner sees and files only the form types of its key.
  router.get('/form-types', partner, wrap(async (req, res) => {
    const rows = (await listFormTypes(ctx.db)).filter((f) => can(partnerOf(req), 'file', f));
    res.json(rows.map((f) => ({ slug: f.slug, title: f.title, service: f.service_slug })));
  }));

  router.post('/requests', partner, wrap(async (req, res) => {
    const body = parse(schema.submitSchema, req.body);
    await refuseOutOfScope(ctx, partnerOf(req), body.formType);
    const key = idempotencyKeyOf(req);
    const { replayed, ...filed } = await submit(ctx, { ...body, idempotency: key === undefined ? undefined : { owner: `partner:${partnerOf(req).tokenId}`, key, hash: bodyHash(req.body) } });
    if (replayed) {
      res.set('Idempotent-Replayed', 'true');
    }
    res.status(201).json(filed);
  }));

  router.get('/requests/:reference', anyone, wrap(async (req, res) => {
    const request = await findRequest(ctx.db, String(req.params.reference));
    if (!request) {
      throw CommandError.of(404, 'NOT_FOUND');
    }
    // Another service's request is forbidden to an agent (unless their group is consulted on it);
    // another form type's is « not found » to a partner.
    const actor = actorOf(req);
    authorize(actor, 'read', isAgent(actor) ? await withConsultedGroups(ctx, actor, request) : request);
    res.json(await present(ctx, request, req.caller));
  }));

  // An accepted action answers with the request as it now stands.
  const answer = async (req: Request, res: Response, status = 200) => {
    res.status(status).json(await present(ctx, (await findRequest(ctx.db, String(req.params.reference)))!, req.caller));
  };
  // Counted under the request page's names (`calls` is its logCall).
  const action = (name: string, run: (req: Request) => Promise<unknown>) =>
    router.post(`/requests/:reference/${name}`, agent, wrap(async (req, res) => {
      await countAction(name === 'calls' ? 'logCall' : name, 'api', () => run(req));
      await answer(req, res);
    }));

  // « Traiter la suivante »: the most urgent unassigned request of my groups, now mine.
  router.post('/requests/next', agent, wrap(async (req, res) => {
    const served = await countAction('next', 'api', () => serveNext(ctx, agentOf(req)));
    res.json(await present(ctx, (await findRequest(ctx.db, served.request.reference))!, req.caller));
  }));

  const ref = (req: Request) => String(req.params.reference);
  action('take', (req) => take(ctx, agentOf(req), ref(req), parse(schema.takeSchema, req.body)));
  action('hold', (req) => hold(ctx, agentOf(req), ref(req), parse(schema.holdSchema, req.body)));
  action('resume', (req) => {
    parse(schema.resumeSchema, req.body);
    return resume(ctx, agentOf(req), ref(req));
  });
  action('reassign', (req) => reassign(ctx, agentOf(req), ref(req), parse(schema.reassignSchema, req.body)));
  action('annotate', (req) => annotate(ctx, agentOf(req), ref(req), parse(schema.annotateSchema, req.body)));
  action('prioritize', (req) => prioritize(ctx, agentOf(req), ref(req), parse(schema.prioritizeSchema, req.body)));
  action('transfer', (req) => transfer(ctx, agentOf(req), ref(req), parse(schema.transferSchema, req.body)));
  action('close', (req) => close(ctx, agentOf(req), ref(req), parse(schema.closeSchema, req.body)));
  action('calls', (req) => logCall(ctx, agentOf(req), ref(req), parse(schema.logCallSchema, req.body)));

  // Scinder: the original (closed) and its two new requests.
  router.post('/requests/:reference/split', agent, wrap(async (req, res) => {
    const done = await split(ctx, agentOf(req), ref(req), parse(schema.splitSchema, req.body));
    const presented = (r: RequestRow) => present(ctx, r, req.caller);
    res.json({ original: await presented(done.original), parts: await Promise.all(done.parts.map(presented)) });
  }));

  // Fusionner: 201 once merged, 202 while the merge workflow still runs (it ends by itself).
  router.post('/merges', agent, wrap(async (req, res) => {
    const merged = await merge(ctx, agentOf(req), parse(mergeSchema, req.body));
    res.status(merged.status === 'DONE' ? 201 : 202).json(merged);
  }));
  router.post('/requests/:reference/unmerge', agent, wrap(async (req, res) => {
    res.json(await undoMerge(ctx, agentOf(req), ref(req)));
  }));

  // Callbacks: planned (201), moved, cancelled; each answers with the request and its callbacks.
  const callbackId = (req: Request) => Number(req.params.id);
  router.post('/requests/:reference/callbacks', agent, wrap(async (req, res) => {
    await countAction('callback', 'api', () => planCallback(ctx, agentOf(req), ref(req), parse(schema.callbackSchema, req.body)));
    await answer(req, res, 201);
  }));
  router.patch('/requests/:reference/callbacks/:id', agent, wrap(async (req, res) => {
    await countAction('moveCallback', 'api', () => moveCallback(ctx, agentOf(req), ref(req), callbackId(req), parse(schema.moveCallbackSchema, req.body)));
    await answer(req, res);
  }));
  router.delete('/requests/:reference/callbacks/:id', agent, wrap(async (req, res) => {
    await countAction('cancelCallback', 'api', () => cancelCallback(ctx, agentOf(req), ref(req), callbackId(req)));
    await answer(req, res);
  }));

  // Consulting an expert group: ask, list what my groups are asked, answer, withdraw.
  router.post('/requests/:reference/consultations', agent, wrap(async (req, res) => {
    const { consultationId } = await countAction('consult', 'api', () => consult(ctx, agentOf(req), ref(req), parse(schema.consultSchema, req.body)));
    res.status(201).json(presentConsultation((await findConsultation(ctx.db, consultationId))!));
  }));
  router.get('/consultations', agent, wrap(async (req, res) => {
    res.json((await pendingConsultations(ctx.db, agentOf(req).groupIds)).map(presentConsultation));
  }));
  const consultationId = (req: Request) => Number(req.params.id);
  router.post('/consultations/:id/answer', agent, wrap(async (req, res) => {
    res.json(presentConsultation(await answerConsultation(ctx, agentOf(req), consultationId(req), parse(schema.answerConsultationSchema, req.body))));
  }));
  router.post('/consultations/:id/withdraw', agent, wrap(async (req, res) => {
    parse(schema.withdrawConsultationSchema, req.body);
    res.json(presentConsultation(await withdrawConsultation(ctx, agentOf(req), consultationId(req))));
  }));
  action('assign', (req) => {
    parse(schema.resumeSchema, req.body);
    return assign(ctx, agentOf(req), ref(req));
  });
  action('release', (req) => {
    parse(schema.resumeSchema, req.body);
    return release(ctx, agentOf(req), ref(req));
  });

  // The calling agent's own presence (Disponible, Absent…): an absent agent is given no request.
  router.get('/me/presence', agent, wrap(async (req, res) => {
    const { presence, since } = await presenceNow(ctx.db, agentOf(req).id);
    res.json({ presence, since: iso(since) });
  }));
  router.put('/me/presence', agent, wrap(async (req, res) => {
    const { presence, since } = await setOwnPresence(ctx, agentOf(req), parse(schema.presenceSchema, req.body));
    res.json({ presence, since: iso(since) });
  }));

  router.use(chatApiRoutes(ctx, agent));
  // The supervisor's board as figures: the groups the calling agent supervises (403 if none).
  router.get('/supervision', agent, wrap(async (req, res) => {
    const board = await boardFor(ctx, agentOf(req));
    res.json({
      at: iso(board.at),
      day: board.day,
      groups: board.groups.map((g) => ({
        ...g,
        waiting: { count: g.waiting.count, oldest: g.waiting.oldest && { reference: g.waiting.oldest.reference, createdAt: iso(g.waiting.oldest.createdAt) } },
        nearDeletion: { count: g.nearDeletion.count, soonest: g.nearDeletion.soonest && { reference: g.nearDeletion.soonest.reference, deletionAt: iso(g.nearDeletion.soonest.deletionAt) } },
      })),
    });
  }));

  router.use(webhookRoutes(ctx, partner));
  router.use(telephonyApiRoutes(ctx));

  // Anything else under /api is no page of the UI (no login redirect): a JSON 404.
  router.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: t('errors.API_NOT_FOUND') } });
  });

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof CommandError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
      return;
    }
    if (err instanceof SyntaxError && 'body' in err) {
      res.status(400).json({ error: { code: 'INVALID_INPUT', message: t('errors.INVALID_JSON'), field: 'body' } });
      return;
    }
    const refused = clientErrorOf(err);
    if (refused) {
      sendClientError(req, res, refused);
      return;
    }
    next(err);
  });
  return router;
}
