import express, { type Request } from 'express';
import { checkBulk, startBulk } from '../../commands/bulk';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import type { Agent } from '../../db/agents';
import { loadAgent } from '../../db/agents';
import { findBulkJob, itemsOf, progressOf, type BulkAction, type BulkItemView } from '../../db/bulkJobs';
import { idsMatching } from '../../db/requestSearch';
import { t } from '../../i18n';
import { authorize, can } from '../../policies';
import { authorized } from './authorized';
import { PARAMS, parseListParams, queryOf } from '../listParams';
import { listSpecOf } from './listSpecs';
import { renderListView, type BulkState } from './lists';
import { isHtmx, renderFragment, renderPage } from './render';
import { currentAgent } from './session';

const ACTIONS: BulkAction[] = ['take', 'close', 'reassign'];

const field = (body: Record<string, unknown>, name: string): string => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

/** The list page the bar was on, to come back to it (a local path only). */
export function returnPath(body: Record<string, unknown>): string {
  const value = field(body, 'retour');
  return /^\/(?![/\\])/.test(value) ? value : '/demandes/du-service';
}

/** The rows the agent ticked. */
function tickedIds(body: Record<string, unknown>): number[] {
  const raw = body.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** The ticked requests, or every request of the list when "all N" was chosen. */
export async function selectedIds(ctx: Ctx, agent: Agent, body: Record<string, unknown>): Promise<number[]> {
  if (field(body, 'tout') === '1') {
    const query = queryOf(field(body, 'requete'));
    const spec = listSpecOf(field(body, 'liste'), agent, query);
    if (!spec) {
      throw CommandError.of(400, 'BULK_EMPTY', {}, 'ids');
    }
    const params = await parseListParams(ctx.db, query, spec.defaultSort);
    return idsMatching(ctx.db, { ...params.filter, ...spec.fixed, groupIds: agent.groupIds }, params.page.sort, params.page.dir);
  }
  return tickedIds(body);
}

/** The bar as the agent left it: ticks, action and fields, to show again with a reason or a question. */
function bulkState(body: Record<string, unknown>, more: Pick<BulkState, 'error' | 'confirm'> = {}): BulkState {
  return {
    ids: tickedIds(body),
    all: field(body, 'tout') === '1',
    action: field(body, 'action'),
    closingCode: field(body, 'closingCode'),
    agent: field(body, 'agent'),
    notify: field(body, 'notifyCitizen') === 'on',
    ...more,
  };
}

/** What a bulk close asks before it starts, with the number of requests it closes and purges. */
function closeConfirmation(count: number): BulkState['confirm'] {
  return {
    count,
    title: t('ui.bulk.confirm.title', { count }),
    text: t('ui.bulk.confirm.text', { count }),
    submit: t('ui.bulk.confirm.submit', { count }),
  };
}

/** A job, to whoever may read its report (the policy's readBulkJob). */
async function jobFor(ctx: Ctx, req: Request) {
  const job = await findBulkJob(ctx.db, Number(req.params.id));
  if (!job) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  authorize(currentAgent(req), 'readBulkJob', job);
  return job;
}

/**
 * The report names only the requests the job's agent may see: an id of another service
 * (or of none) reads « Demande inconnue », without its reference.
 */
async function reportItems(ctx: Ctx, agentId: number, items: BulkItemView[]): Promise<BulkItemView[]> {
  const agent = await loadAgent(ctx.db, agentId);
  return items.map((i) => (agent && i.reference !== null && can(agent, 'read', i)
    ? i
    : { ...i, reference: null, message: t('errors.UNKNOWN_REQUEST') }));
}

async function progressModel(ctx: Ctx, jobId: number) {
  const job = (await findBulkJob(ctx.db, jobId))!;
  const counts = await progressOf(ctx.db, jobId);
  const done = counts.OK + counts.REFUSED;
  const finished = job.finished_at !== null && job.finished_at !== undefined;
  return {
    job,
    counts,
    done,
    finished,
    succeeded: finished ? await itemsOf(ctx.db, jobId, 'OK') : [],
    refused: finished ? await reportItems(ctx, job.agent_id, await itemsOf(ctx.db, jobId, 'REFUSED')) : [],
    actionLabel: t(`ui.bulk.actions.${job.action}`),
  };
}

export function bulkRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.post('/actions-groupees', authorized('startBulk'), async (req, res) => {
    const agent = currentAgent(req);
    const body = req.body as Record<string, unknown>;
    const action = field(body, 'action') as BulkAction;
    // The list page again, as the agent left it, on the page of its ticks (false when the form names no list: then back to it with the reason).
    const showAgain = (more: Pick<BulkState, 'error' | 'confirm'>) =>
      renderListView(ctx, req, res, field(body, 'liste'), { ...queryOf(field(body, 'requete')), [PARAMS.page]: field(body, 'page') }, bulkState(body, more));
    try {
      if (!ACTIONS.includes(action)) {
        throw CommandError.of(400, 'BULK_UNKNOWN_ACTION', {}, 'action');
      }
      const props = {
        action,
        requestIds: await selectedIds(ctx, agent, body),
        closingCode: field(body, 'closingCode'),
        targetAgent: field(body, 'agent'),
        notifyCitizen: field(body, 'notifyCitizen') === 'on',
      };
      // A bulk close purges what it closes: it starts only once confirmed, after a question that says how many.
      if (action === 'close' && field(body, 'confirme') !== 'oui') {
        const confirm = field(body, 'confirme') === 'non' ? undefined : closeConfirmation((await checkBulk(ctx, props)).ids.length);
        if (await showAgain({ confirm })) {
          return;
        }
        throw CommandError.of(400, 'BULK_EMPTY', {}, 'ids');
      }
      const jobId = await startBulk(ctx, agent, props);
      res.redirect(303, `/actions-groupees/${jobId}?retour=${encodeURIComponent(returnPath(body))}`);
    } catch (err) {
      if (!(err instanceof CommandError) || err.status !== 400) {
        throw err;
      }
      res.status(400);
      if (await showAgain({ error: { message: err.message, field: err.field } })) {
        return;
      }
      req.session.flash = { kind: 'error', message: err.message };
      res.redirect(303, returnPath(body));
    }
  });

  router.get('/actions-groupees/:id', async (req, res) => {
    const job = await jobFor(ctx, req);
    const model = await progressModel(ctx, job.id);
    if (isHtmx(req)) {
      if (model.finished) {
        // The nav's counts were drawn when the job started: the poll that sees it finished refreshes them.
        res.set('HX-Trigger', 'requestsChanged');
      }
      renderFragment(res, 'bulkProgress', { ...model, oob: true });
      return;
    }
    const back = returnPath(req.query as Record<string, unknown>);
    await renderPage(ctx, req, res, 'bulkJob', { title: t('ui.bulk.jobTitle', { action: model.actionLabel }), back, ...model });
  });
  return router;
}
