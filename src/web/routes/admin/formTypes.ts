import express, { type Request, type Response } from 'express';
import { DEFAULT_PRIORITY, PRIORITIES, priorityOf, type Delays } from '../../../../workflows/definitions';
import type { Ctx } from '../../../commands/context';
import { createFormType } from '../../../commands/admin/createFormType';
import { DELAY_FIELDS, parseDelays } from '../../../commands/admin/durations';
import { formatDelay } from '../../../durations';
import { updateFormType } from '../../../commands/admin/updateFormType';
import { findFormDraft } from '../../../db/formDrafts';
import { DEFAULT_DELAYS, delaysOf, findFormType, listFormTypes, openRequestCounts, type FormTypeRow } from '../../../db/formTypes';
import { listGroups } from '../../../db/groups';
import { listServices } from '../../../db/services';
import { chooseFormTypeGroup } from '../../../commands/admin/chooseFormTypeGroup';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { attempt, doneTo, renderAdminPage, runThen } from './render';

type DelayTexts = Record<keyof Delays, string>;

const delayTexts = (delays: Delays): DelayTexts =>
  Object.fromEntries(DELAY_FIELDS.map((f) => [f, formatDelay(delays[f])])) as DelayTexts;

/** The five delay fields, labelled, with what was typed (kept as typed when refused). */
const delayFields = (values: DelayTexts, prefix: string) =>
  DELAY_FIELDS.map((name) => ({ name, id: `${prefix}-${name}`, label: t(`ui.admin.formTypes.delays.${name}`), value: values[name] }));

function formValues(body: unknown) {
  return {
    slug: text(body, 'slug', 64),
    title: text(body, 'title', 200),
    serviceId: Number(text(body, 'serviceId', 12)),
    defaultPriority: text(body, 'defaultPriority', 20),
    delays: Object.fromEntries(DELAY_FIELDS.map((f) => [f, text(body, f, 40)])) as DelayTexts,
  };
}

/** The three priorities, the form type's (or the one chosen) selected. */
const priorityChoices = (selected: string) =>
  PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`), selected: p === selected }));

async function serviceChoices(ctx: Ctx, selected: number) {
  return (await listServices(ctx.db)).map((s) => ({ value: s.id, label: s.name, selected: s.id === selected }));
}

export function formTypeRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  const listPage = async (req: Request, res: Response, model: { error?: string; values?: ReturnType<typeof formValues> } = {}) => {
    const open = await openRequestCounts(ctx.db);
    const rows = (await listFormTypes(ctx.db)).map((f) => ({
      ...f,
      delays: DELAY_FIELDS.map((name) => formatDelay(delaysOf(f)[name])),
      open: open.get(f.id) ?? 0,
    }));
    const values = model.values ?? { slug: '', title: '', serviceId: 0, defaultPriority: DEFAULT_PRIORITY as string, delays: delayTexts(DEFAULT_DELAYS) };
    renderAdminPage(ctx, req, res, 'formTypes', {
      title: t('ui.admin.formTypes.title'),
      rows,
      headers: DELAY_FIELDS.map((f) => t(`ui.admin.formTypes.delaysShort.${f}`)),
      services: await serviceChoices(ctx, values.serviceId),
      priorities: priorityChoices(values.defaultPriority),
      delayFields: delayFields(values.delays, 'new'),
      values,
      error: model.error,
    });
  };

  const editPage = async (req: Request, res: Response, formType: FormTypeRow, model: { error?: string; values?: ReturnType<typeof formValues> } = {}) => {
    const values = model.values ?? {
      slug: formType.slug, title: formType.title, serviceId: Number(formType.service_id),
      defaultPriority: priorityOf(formType.default_priority) as string, delays: delayTexts(delaysOf(formType)),
    };
    renderAdminPage(ctx, req, res, 'formType', {
      title: t('ui.admin.formTypes.edit', { title: formType.title }),
      formType,
      unpublished: Boolean(await findFormDraft(ctx.db, formType.id)),
      services: await serviceChoices(ctx, values.serviceId),
      priorities: priorityChoices(values.defaultPriority),
      delayFields: delayFields(values.delays, 'edit'),
      groups: (await listGroups(ctx.db)).map((g) => ({ value: g.id, label: g.name, selected: Number(g.id) === Number(formType.group_id) })),
      values,
      error: model.error,
    });
  };

  router.get('/demarches', async (req, res) => listPage(req, res));

  router.post('/demarches', async (req, res) => {
    const values = formValues(req.body);
    const create = () => createFormType(ctx.db, currentAgent(req), { ...values, delays: parseDelays(values.delays) });
    await runThen(req, res, create, () => ['/admin/demarches', t('ui.admin.formTypes.created', { title: values.title })], (error) => listPage(req, res, { error, values }));
  });

  router.get('/demarches/:slug', async (req, res, next) => {
    const formType = await findFormType(ctx.db, String(req.params.slug));
    if (!formType) {
      next();
      return;
    }
    await editPage(req, res, formType);
  });

  router.post('/demarches/:slug', async (req, res, next) => {
    const formType = await findFormType(ctx.db, String(req.params.slug));
    if (!formType) {
      next();
      return;
    }
    const values = { ...formValues(req.body), slug: formType.slug };
    const update = () => updateFormType(ctx, currentAgent(req), { ...values, delays: parseDelays(values.delays) });
    const updated = ({ signalled }: { signalled: number }): [string, string] =>
      [`/admin/demarches/${formType.slug}`, t('ui.admin.formTypes.updated', { title: values.title, count: signalled })];
    await runThen(req, res, update, updated, (error) => editPage(req, res, formType, { error, values }));
  });

  router.post('/demarches/:slug/groupe', async (req, res, next) => {
    const formType = await findFormType(ctx.db, String(req.params.slug));
    if (!formType) {
      next();
      return;
    }
    const choose = () => chooseFormTypeGroup(ctx.db, currentAgent(req), { slug: formType.slug, group: Number(text(req.body, 'group', 12)) || 0 });
    const chosen = (name: string): [string, string] => [`/admin/demarches/${formType.slug}`, t('ui.admin.groups.formTypeGroupSet', { title: formType.title, name })];
    await runThen(req, res, choose, chosen, (error) => editPage(req, res, formType, { error }));
  });
  return router;
}
