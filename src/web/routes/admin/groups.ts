// The administration of groups (« groupes ») and their members: /admin/groupes.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { createGroup } from '../../../commands/admin/createGroup';
import { deleteGroup } from '../../../commands/admin/deleteGroup';
import { removeGroupMember } from '../../../commands/admin/removeGroupMember';
import { renameGroup } from '../../../commands/admin/renameGroup';
import { setGroupConsultationDelay } from '../../../commands/admin/setGroupConsultationDelay';
import { setGroupMember } from '../../../commands/admin/setGroupMember';
import { activeAgentChoices, findGroup, GROUP_ROLES, groupCounts, groupUse, listGroups, membershipList, type GroupRole, type GroupRow } from '../../../db/groups';
import { listServices } from '../../../db/services';
import { formatDelay } from '../../../durations';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { renderAdminPage, runThen } from './render';

const roleChoices = (selected: GroupRole) => GROUP_ROLES.map((r) => ({ value: r, label: t(`ui.groups.role.${r}`), selected: r === selected }));

async function serviceNames(ctx: Ctx): Promise<Map<number, string>> {
  return new Map((await listServices(ctx.db)).map((s) => [Number(s.id), s.name]));
}

export function groupRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const listPage = async (req: Request, res: Response, model: { error?: string; values?: Record<string, string> } = {}) => {
    const [groups, counts, services] = await Promise.all([listGroups(ctx.db), groupCounts(ctx.db), serviceNames(ctx)]);
    const values = model.values ?? { name: '', service: '', consultationDelay: formatDelay(2 * 24 * 3600_000) };
    renderAdminPage(ctx, req, res, 'groups', {
      title: t('ui.admin.groups.title'),
      rows: groups.map((g) => ({
        id: g.id,
        name: g.name,
        service: g.service_id === null ? null : services.get(Number(g.service_id)),
        followsService: Boolean(g.follows_service),
        members: counts.get(Number(g.id))?.members ?? 0,
        open: counts.get(Number(g.id))?.open ?? 0,
      })),
      services: [...services].map(([id, name]) => ({ value: id, label: name, selected: String(id) === values.service })),
      values,
      error: model.error,
    });
  };

  const groupPage = async (req: Request, res: Response, group: GroupRow, model: { error?: string } = {}) => {
    const [members, use, services, agents] = await Promise.all([
      membershipList(ctx.db, Number(group.id)), groupUse(ctx.db, Number(group.id)), serviceNames(ctx),
      activeAgentChoices(ctx.db),
    ]);
    const memberCodes = new Set(members.map((m) => m.code));
    renderAdminPage(ctx, req, res, 'group', {
      title: t('ui.admin.groups.edit', { name: group.name }),
      group: { ...group, followsService: Boolean(group.follows_service), consultationDelay: formatDelay(Number(group.consultation_reminder_ms)) },
      service: group.service_id === null ? null : services.get(Number(group.service_id)),
      members: members.map((m) => ({ ...m, roles: roleChoices(m.role) })),
      candidates: agents.filter((a) => !memberCodes.has(a.code)),
      roles: roleChoices('AGENT'),
      deletable: !group.follows_service && use.requests === 0 && use.formTypes === 0,
      use,
      error: model.error,
    });
  };

  /** The group of the URL, or the 404 page. */
  const withGroup = (handler: (req: Request, res: Response, group: GroupRow) => Promise<void>) =>
    async (req: Request, res: Response, next: express.NextFunction) => {
      const id = Number(req.params.id);
      const group = Number.isSafeInteger(id) ? await findGroup(ctx.db, id) : undefined;
      if (!group) {
        next();
        return;
      }
      await handler(req, res, group);
    };

  router.get('/groupes', async (req, res) => listPage(req, res));

  router.post('/groupes', async (req, res) => {
    const values = { name: text(req.body, 'name', 200), service: text(req.body, 'service', 12), consultationDelay: text(req.body, 'consultationDelay', 40) };
    const create = () => createGroup(ctx.db, currentAgent(req), { ...values, service: Number(values.service) || null });
    await runThen(req, res, create, (id) => [`/admin/groupes/${id}`, t('ui.admin.groups.created', { name: values.name.trim() })], (error) => listPage(req, res, { error, values }));
  });

  router.get('/groupes/:id', withGroup((req, res, group) => groupPage(req, res, group)));

  /** A change to the group, then back to its page with the message `done` gives. */
  const change = <T>(command: (req: Request, group: GroupRow) => Promise<T>, done: (result: T, group: GroupRow) => string) =>
    withGroup(async (req, res, group) => {
      await runThen(req, res, () => command(req, group), (result) => [`/admin/groupes/${group.id}`, done(result, group)], (error) => groupPage(req, res, group, { error }));
    });

  router.post('/groupes/:id/nom', change(
    (req, group) => renameGroup(ctx.db, currentAgent(req), { group: Number(group.id), name: text(req.body, 'name', 200) }),
    (name) => t('ui.admin.groups.renamed', { name }),
  ));
  router.post('/groupes/:id/delai', change(
    (req, group) => setGroupConsultationDelay(ctx.db, currentAgent(req), { group: Number(group.id), delay: text(req.body, 'consultationDelay', 40) }),
    (ms) => t('ui.admin.groups.delaySet', { delay: formatDelay(ms) }),
  ));
  router.post('/groupes/:id/membres', change(
    (req, group) => setGroupMember(ctx.db, currentAgent(req), { group: Number(group.id), agent: text(req.body, 'agent', 64), role: text(req.body, 'role', 16) }),
    (r) => t(r.added ? 'ui.admin.groups.memberAdded' : 'ui.admin.groups.roleSet', { name: r.name, role: t(`ui.groups.role.${r.role}`) }),
  ));
  router.post('/groupes/:id/membres/:code/retirer', change(
    (req, group) => removeGroupMember(ctx.db, currentAgent(req), { group: Number(group.id), agent: String(req.params.code) }),
    (name, group) => t('ui.admin.groups.memberRemoved', { name, group: group.name }),
  ));
  router.post('/groupes/:id/supprimer', withGroup(async (req, res, group) => {
    await runThen(req, res, () => deleteGroup(ctx.db, currentAgent(req), { group: Number(group.id) }),
      (name) => ['/admin/groupes', t('ui.admin.groups.deleted', { name })], (error) => groupPage(req, res, group, { error }));
  }));
  return router;
}
