// The pages that keep canned replies: « Mes réponses types » (/reponses-types, an agent's
// own) and the administration's shared ones (/admin/reponses-types). Same pages, same
// commands; the scope says whose replies and which services may be chosen.
import express, { type Request, type Response } from 'express';
import { CANNED_PLACEHOLDERS } from '../../canned/placeholders';
import { MAX_CANNED_BODY, MAX_CANNED_TITLE, removeCannedReply, saveCannedReply, editableReply, type CannedReplyProps, type CannedScope } from '../../commands/cannedReplies';
import type { Ctx } from '../../commands/context';
import { cannedRepliesFor, sharedCannedReplies, type CannedReplyRow } from '../../db/cannedReplies';
import { listServices } from '../../db/services';
import { t } from '../../i18n';
import { can } from '../../policies';
import { attempt, doneTo, renderAdminPage } from './admin/render';
import { text } from './forms';
import { renderPage } from './render';
import { currentAgent } from './session';

const BASE: Record<CannedScope, string> = { shared: '/admin/reponses-types', personal: '/reponses-types' };

const propsOf = (body: unknown): CannedReplyProps => {
  const service = text(body, 'service', 12);
  return { title: text(body, 'title', MAX_CANNED_TITLE * 2), body: text(body, 'body', MAX_CANNED_BODY * 2), serviceId: /^\d{1,9}$/.test(service) ? Number(service) : null };
};

const EMPTY: CannedReplyProps = { title: '', body: '', serviceId: null };

export function cannedReplyPages(scope: CannedScope) {
  return (ctx: Ctx): express.Router => {
    const router = express.Router();
    const base = BASE[scope];
    const path = scope === 'shared' ? '/reponses-types' : BASE.personal;
    const render = (req: Request, res: Response, view: string, model: Record<string, unknown>) =>
      (scope === 'shared' ? renderAdminPage(ctx, req, res, view, model) : renderPage(ctx, req, res, view, model));

    /** The services a reply may be for: every one for a shared reply, the agent's own for theirs. */
    const servicesFor = async (req: Request, chosen: number | null) => {
      const agent = currentAgent(req);
      const services = (await listServices(ctx.db)).filter((s) => scope === 'shared' || agent.serviceIds.includes(s.id));
      return services.map((s) => ({ id: s.id, name: s.name, selected: s.id === chosen }));
    };
    const formModel = async (req: Request, values: CannedReplyProps, error?: string) => ({
      base, scope, values, error, example: '{{nomUsager}}',
      services: await servicesFor(req, values.serviceId),
      placeholders: CANNED_PLACEHOLDERS.map((name) => ({ code: `{{${name}}}`, meaning: t(`ui.canned.names.${name}`) })),
    });
    const row = (r: CannedReplyRow) => ({ ...r, serviceLabel: r.service_name ?? t('ui.canned.allServices') });

    const listPage = async (req: Request, res: Response, values = EMPTY, error?: string) => {
      const agent = currentAgent(req);
      const replies = scope === 'shared' ? await sharedCannedReplies(ctx.db) : await cannedRepliesFor(ctx.db, agent.id);
      render(req, res, 'cannedReplies', {
        title: t(`ui.canned.${scope}.title`),
        intro: t(`ui.canned.${scope}.intro`),
        own: replies.filter((r) => scope === 'shared' || r.owner_agent_id === agent.id).map(row),
        // On « Mes réponses types », the shared ones the agent may use, to read.
        shared: scope === 'personal' ? replies.filter((r) => r.owner_agent_id === null && can(agent, 'useCannedReply', r)).map(row) : [],
        ...(await formModel(req, values, error)),
      });
    };
    const editPage = async (req: Request, res: Response, id: number, values?: CannedReplyProps, error?: string) => {
      const reply = await editableReply(ctx, currentAgent(req), scope, id);
      const shown = values ?? { title: reply.title, body: reply.body, serviceId: reply.service_id };
      render(req, res, 'cannedReply', { title: t('ui.canned.editTitle', { title: reply.title }), replyTitle: reply.title, id, ...(await formModel(req, shown, error)) });
    };

    router.param('cannedId', (_req, _res, next, id: string) => next(/^\d{1,9}$/.test(id) ? undefined : 'route'));
    const idOf = (req: Request) => Number(req.params.cannedId);

    router.get(path, (req, res) => listPage(req, res));
    router.post(path, async (req, res) => {
      let props = EMPTY;
      await attempt(res, async () => {
        props = propsOf(req.body);
        await saveCannedReply(ctx, currentAgent(req), scope, null, props);
        doneTo(req, res, base, t('ui.canned.created', { title: props.title.trim() }));
      }, (error) => listPage(req, res, props, error));
    });
    router.get(`${path}/:cannedId`, (req, res) => editPage(req, res, idOf(req)));
    router.post(`${path}/:cannedId`, async (req, res) => {
      let props: CannedReplyProps | undefined;
      await attempt(res, async () => {
        props = propsOf(req.body);
        await saveCannedReply(ctx, currentAgent(req), scope, idOf(req), props);
        doneTo(req, res, base, t('ui.canned.saved', { title: props.title.trim() }));
      }, (error) => editPage(req, res, idOf(req), props, error));
    });
    router.post(`${path}/:cannedId/supprimer`, async (req, res) => {
      const removed = await removeCannedReply(ctx, currentAgent(req), scope, idOf(req));
      doneTo(req, res, base, t('ui.canned.removed', { title: removed.title }));
    });
    return router;
  };
}
