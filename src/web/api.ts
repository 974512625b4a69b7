import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { annotate } from '../commands/annotate';
import { close } from '../commands/close';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { hold } from '../commands/hold';
import { reassign } from '../commands/reassign';
import { resume } from '../commands/resume';
import { submit } from '../commands/submit';
import { take } from '../commands/take';
import { listFormTypes } from '../db/formTypes';
import { findRequest, listEvents, type RequestRow } from '../db/requests';
import { t } from '../i18n';
import { canSee } from '../policies';
import { agentOf, bearer } from './auth';
import * as schema from './apiSchema';

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

function parse<T extends z.ZodTypeAny>(s: T, body: unknown): z.infer<T> {
  const result = s.safeParse(body ?? {});
  if (!result.success) {
    const { field, message } = schema.describeIssue(result.error);
    throw new CommandError(400, 'INVALID_INPUT', message, field);
  }
  return result.data;
}

const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).catch(next);
};

async function present(ctx: Ctx, request: RequestRow) {
  const events = await listEvents(ctx.db, request.id);
  return {
    reference: request.reference,
    status: request.status,
    formType: request.form_type_slug,
    service: request.service_slug,
    assignee: request.assignee_code ? { code: request.assignee_code, name: request.assignee_name } : null,
    closingCode: request.closing_code,
    createdAt: iso(request.created_at),
    takenAt: iso(request.taken_at),
    closedAt: iso(request.closed_at),
    events: events.map((e) => ({ type: e.type, at: iso(e.at), agent: e.agent, comment: e.comment })),
  };
}

/** The JSON API of partners and agents (the contract is in the README). */
export function apiRouter(ctx: Ctx): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  const partner = bearer(ctx.db, ['partner']);
  const agent = bearer(ctx.db, ['agent']);
  const anyone = bearer(ctx.db, ['agent', 'partner']);

  router.get('/form-types', partner, wrap(async (_req, res) => {
    const rows = await listFormTypes(ctx.db);
    res.json(rows.map((f) => ({ slug: f.slug, title: f.title, service: f.service_slug })));
  }));

  router.post('/requests', partner, wrap(async (req, res) => {
    const body = parse(schema.submitSchema, req.body);
    res.status(201).json(await submit(ctx, body));
  }));

  router.get('/requests/:reference', anyone, wrap(async (req, res) => {
    const request = await findRequest(ctx.db, String(req.params.reference));
    if (!request) {
      throw CommandError.of(404, 'NOT_FOUND');
    }
    if (req.caller?.kind === 'agent' && !canSee(req.caller.agent, request)) {
      throw CommandError.of(403, 'FORBIDDEN');
    }
    res.json(await present(ctx, request));
  }));

  // An accepted action answers with the request as it now stands.
  const action = (name: string, run: (req: Request) => Promise<unknown>) =>
    router.post(`/requests/:reference/${name}`, agent, wrap(async (req, res) => {
      await run(req);
      res.json(await present(ctx, (await findRequest(ctx.db, String(req.params.reference)))!));
    }));

  const ref = (req: Request) => String(req.params.reference);
  action('take', (req) => take(ctx, agentOf(req), ref(req), parse(schema.takeSchema, req.body)));
  action('hold', (req) => {
    const body = parse(schema.holdSchema, req.body);
    return hold(ctx, agentOf(req), ref(req), { reason: body.reason, until: body.until ? Date.parse(body.until) : null, waitingForCitizen: body.waitingForCitizen });
  });
  action('resume', (req) => {
    parse(schema.resumeSchema, req.body);
    return resume(ctx, agentOf(req), ref(req));
  });
  action('reassign', (req) => reassign(ctx, agentOf(req), ref(req), parse(schema.reassignSchema, req.body)));
  action('annotate', (req) => annotate(ctx, agentOf(req), ref(req), parse(schema.annotateSchema, req.body)));
  action('close', (req) => close(ctx, agentOf(req), ref(req), parse(schema.closeSchema, req.body)));

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof CommandError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
      return;
    }
    if (err instanceof SyntaxError && 'body' in err) {
      res.status(400).json({ error: { code: 'INVALID_INPUT', message: t('errors.INVALID_JSON'), field: 'body' } });
      return;
    }
    next(err);
  });
  return router;
}
