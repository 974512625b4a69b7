import express, { type Request, type Response } from 'express';
import { isActivated } from '../../../db/activated';
import type { Ctx } from '../../../commands/context';
import { createAgentAccount } from '../../../commands/admin/createAgentAccount';
import { resendActivation } from '../../../commands/admin/resendActivation';
import { setAgentActive } from '../../../commands/admin/setAgentActive';
import { updateAgent } from '../../../commands/admin/updateAgent';
import { agentServiceLinks, findAgentRow, listAgentRows, serviceIdsOfAgent } from '../../../db/agentAccounts';
import type { AgentRow } from '../../../db/agents';
import { listServices, type ServiceRow } from '../../../db/services';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { attempt, doneTo, many, renderAdminPage, runThen } from './render';

interface AgentForm {
  code: string;
  name: string;
  email: string;
  services: string[];
  admin: boolean;
}

const formOf = (body: unknown): AgentForm => ({
  code: text(body, 'code', 64),
  name: text(body, 'name', 200),
  email: text(body, 'email', 254),
  services: many(body, 'services'),
  admin: text(body, 'admin', 8) === 'oui',
});

const serviceChecks = (services: ServiceRow[], chosen: string[], prefix: string) =>
  services.map((s) => ({ id: `${prefix}-service-${s.id}`, value: s.slug, label: s.name, checked: chosen.includes(s.slug) }));

function stateOf(agent: AgentRow): string {
  if (!agent.active) {
    return t('ui.admin.agents.inactive');
  }
  return isActivated(agent) ? t('ui.admin.agents.active') : t('ui.admin.agents.pending');
}

export function agentAdminRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const listPage = async (req: Request, res: Response, model: { error?: string; values?: AgentForm } = {}) => {
    const services = await listServices(ctx.db);
    const agents = await listAgentRows(ctx.db);
    const links = await agentServiceLinks(ctx.db);
    const rows = agents.map((a) => ({
      ...a,
      isAdmin: Boolean(a.is_admin),
      state: stateOf(a),
      services: services.filter((s) => links.some((l) => Number(l.agent_id) === a.id && Number(l.service_id) === s.id)).map((s) => s.name).join(', '),
    }));
    const values = model.values ?? { code: '', name: '', email: '', services: [], admin: false };
    renderAdminPage(ctx, req, res, 'agents', {
      title: t('ui.admin.agents.title'), rows, values, services: serviceChecks(services, values.services, 'new'), error: model.error,
    });
  };

  const loadRow = async (id: string): Promise<AgentRow | undefined> =>
    /^\d+$/.test(id) ? findAgentRow(ctx.db, Number(id)) : undefined;

  const editPage = async (req: Request, res: Response, agent: AgentRow, model: { error?: string; values?: AgentForm } = {}) => {
    const services = await listServices(ctx.db);
    const mine = await serviceIdsOfAgent(ctx.db, agent.id);
    const values = model.values ?? {
      code: agent.code, name: agent.name, email: agent.email, admin: Boolean(agent.is_admin),
      services: services.filter((s) => mine.includes(s.id)).map((s) => s.slug),
    };
    renderAdminPage(ctx, req, res, 'agent', {
      title: t('ui.admin.agents.edit', { name: agent.name }),
      agent: { ...agent, active: Boolean(agent.active), pending: !isActivated(agent), state: stateOf(agent) },
      values, services: serviceChecks(services, values.services, 'edit'), error: model.error,
    });
  };

  router.get('/agents', async (req, res) => listPage(req, res));

  router.post('/agents', async (req, res) => {
    const values = formOf(req.body);
    const created = (): [string, string] => ['/admin/agents', t('ui.admin.agents.created', { code: values.code, email: values.email })];
    await runThen(req, res, () => createAgentAccount(ctx, currentAgent(req), values), created, (error) => listPage(req, res, { error: error.charAt(0).toUpperCase() + error.slice(1), values }));
  });

  router.get('/agents/:id', async (req, res, next) => {
    const agent = await loadRow(String(req.params.id));
    if (!agent) {
      next();
      return;
    }
    await editPage(req, res, agent);
  });

  router.post('/agents/:id', async (req, res, next) => {
    const agent = await loadRow(String(req.params.id));
    if (!agent) {
      next();
      return;
    }
    const values = { ...formOf(req.body), code: agent.code };
    const serviceIds = (await listServices(ctx.db)).filter((s) => values.services.includes(s.slug)).map((s) => s.id);
    await attempt(
      res,
      async () => {
        if (serviceIds.length !== values.services.length) {
          // A slug that names no service: refused like any other bad input.
          await updateAgent(ctx.db, currentAgent(req), { ...values, id: agent.id, serviceIds: [...serviceIds, -1] });
        }
        await updateAgent(ctx.db, currentAgent(req), { ...values, id: agent.id, serviceIds });
        doneTo(req, res, `/admin/agents/${agent.id}`, t('ui.admin.saved'));
      },
      (error) => editPage(req, res, agent, { error, values }),
    );
  });

  router.post('/agents/:id/etat', async (req, res, next) => {
    const agent = await loadRow(String(req.params.id));
    if (!agent) {
      next();
      return;
    }
    const active = text(req.body, 'active', 8) === 'oui';
    await attempt(
      res,
      async () => {
        await setAgentActive(ctx.db, currentAgent(req), { id: agent.id, active });
        doneTo(req, res, `/admin/agents/${agent.id}`, t(active ? 'ui.admin.agents.reactivated' : 'ui.admin.agents.deactivated'));
      },
      (error) => editPage(req, res, agent, { error }),
    );
  });

  router.post('/agents/:id/activation', async (req, res, next) => {
    const agent = await loadRow(String(req.params.id));
    if (!agent) {
      next();
      return;
    }
    await attempt(
      res,
      async () => {
        await resendActivation(ctx, currentAgent(req), agent.id);
        doneTo(req, res, `/admin/agents/${agent.id}`, t('ui.admin.agents.resent', { email: agent.email }));
      },
      (error) => editPage(req, res, agent, { error }),
    );
  });
  return router;
}
