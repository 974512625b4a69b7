// /admin/demarches/<slug>/formulaire: the fields of a form type's online form.
import express, { type Request, type Response } from 'express';
import { discardDraft, editedForm, moveField, presentForm, publishForm, removeField, saveField } from '../../../commands/admin/editForm';
import type { Ctx } from '../../../commands/context';
import { CommandError } from '../../../commands/errors';
import { agentNames } from '../../../db/agents';
import type { DraftStamp } from '../../../db/formDrafts';
import { findFormType, type FormTypeRow } from '../../../db/formTypes';
import { currentForm } from '../../../db/formVersions';
import { DATE_PERIODS, FIELD_TYPES, type DatePeriod, type FieldDefinition, type FieldType } from '../../../forms/fields';
import { t } from '../../../i18n';
import { text } from '../forms';
import { currentAgent } from '../session';
import { attempt, doneTo, renderAdminPage } from './render';

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: t('ui.admin.formFields.types.text'), textarea: t('ui.admin.formFields.types.textarea'), email: t('ui.admin.formFields.types.email'),
  phone: t('ui.admin.formFields.types.phone'), date: t('ui.admin.formFields.types.date'), choice: t('ui.admin.formFields.types.choice'),
  checkboxes: t('ui.admin.formFields.types.checkboxes'), address: t('ui.admin.formFields.types.address'), file: t('ui.admin.formFields.types.file'),
};

/** The field form's inputs → a field definition (checked by the command). */
function fieldOf(body: unknown): FieldDefinition {
  const type = text(body, 'type', 20) as FieldType;
  const options = text(body, 'options', 10_000).split('\n').map((o) => o.trim()).filter(Boolean);
  const maxLength = text(body, 'maxLength', 6);
  const optional = (name: string, max: number) => text(body, name, max) || undefined;
  return {
    key: text(body, 'key', 64),
    label: text(body, 'label', 200),
    type,
    required: text(body, 'required', 8) === 'on',
    help: optional('help', 500),
    options: type === 'choice' || type === 'checkboxes' ? options : undefined,
    maxLength: maxLength && (type === 'text' || type === 'textarea') ? Number(maxLength) : undefined,
    pattern: type === 'text' ? optional('pattern', 200) : undefined,
    patternMessage: type === 'text' ? optional('patternMessage', 200) : undefined,
    period: type === 'date' ? (optional('period', 10) as DatePeriod | undefined) : undefined,
  };
}

/** The draft the administrator saw, as the publish and discard buttons send it back (a forged one matches no draft). */
function stampOf(body: unknown): DraftStamp {
  const whole = (name: string) => {
    const n = Number(text(body, name, 10));
    return Number.isSafeInteger(n) ? n : -1;
  };
  return { baseVersion: whole('baseVersion'), revision: whole('revision') };
}

/** Runs a change of the draft; one that lost a race (409) goes back to the editor saying so. */
async function orStale(req: Request, res: Response, location: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof CommandError && err.status === 409) {
      req.session.flash = { kind: 'error', message: err.message };
      res.redirect(303, location);
      return;
    }
    throw err;
  }
}

export function formFieldRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  const base = (slug: string) => `/admin/demarches/${slug}/formulaire`;

  const page = async (req: Request, res: Response, formType: FormTypeRow, model: { error?: string; field?: Partial<FieldDefinition> & { optionsText?: string }; replacing?: string | null } = {}) => {
    const form = await editedForm(ctx.db, formType.id);
    const editing = model.field ?? form.fields.find((f) => f.key === req.query.champ) ?? null;
    const replacing = model.replacing ?? (editing && !model.field ? editing.key : null);
    const field = editing ?? { type: 'text' as const, required: false };
    renderAdminPage(ctx, req, res, 'formFields', {
      title: t('ui.admin.formFields.title', { title: formType.title }),
      formType,
      version: form.published.version,
      draft: form.draft && {
        baseVersion: form.draft.baseVersion, revision: form.draft.revision, nextVersion: form.published.version + 1,
        by: form.draft.agentId === null ? null : (await agentNames(ctx.db, [form.draft.agentId])).get(form.draft.agentId)?.name ?? null,
      },
      fields: form.fields.map((f, i) => ({ ...f, typeLabel: FIELD_TYPE_LABELS[f.type], first: i === 0, last: i === form.fields.length - 1 })),
      field: { ...field, optionsText: (field.options ?? []).join('\n') },
      replacing,
      types: FIELD_TYPES.map((value) => ({ value, label: FIELD_TYPE_LABELS[value], selected: value === field.type })),
      periods: ['', ...DATE_PERIODS].map((value) => ({ value, label: t(`ui.admin.formFields.periods.${value || 'any'}`), selected: value === ((field as Partial<FieldDefinition>).period ?? '') })),
      error: model.error,
    });
  };

  const load = async (req: Request) => findFormType(ctx.db, String(req.params.slug));

  router.get('/demarches/:slug/formulaire', async (req, res, next) => {
    const formType = await load(req);
    if (!formType) return next();
    await page(req, res, formType);
  });

  router.post('/demarches/:slug/formulaire/champs', async (req, res, next) => {
    const formType = await load(req);
    if (!formType) return next();
    const field = fieldOf(req.body);
    const replacing = text(req.body, 'replacing', 64) || null;
    await orStale(req, res, base(formType.slug), () => attempt(res, async () => {
      await saveField(ctx.db, currentAgent(req), formType.slug, field, replacing);
      doneTo(req, res, base(formType.slug), t('ui.admin.formFields.saved', { label: field.label }));
    }, (error) => page(req, res, formType, { error, field, replacing })));
  });

  router.post('/demarches/:slug/formulaire/champs/:key/:op', async (req, res, next) => {
    const formType = await load(req);
    const op = String(req.params.op);
    if (!formType || !['supprimer', 'monter', 'descendre'].includes(op)) return next();
    const key = String(req.params.key);
    const agent = currentAgent(req);
    await orStale(req, res, base(formType.slug), async () => {
      if (op === 'supprimer') await removeField(ctx.db, agent, formType.slug, key);
      else await moveField(ctx.db, agent, formType.slug, key, op === 'monter' ? -1 : 1);
      doneTo(req, res, base(formType.slug), op === 'supprimer' ? t('ui.admin.formFields.removed') : t('ui.admin.formFields.moved'));
    });
  });

  router.post('/demarches/:slug/formulaire/publier', async (req, res, next) => {
    const formType = await load(req);
    if (!formType) return next();
    await orStale(req, res, base(formType.slug), async () => {
      const version = await publishForm(ctx.db, currentAgent(req), formType.slug, stampOf(req.body));
      doneTo(req, res, base(formType.slug), version === null ? t('ui.admin.formFields.nothingToPublish') : t('ui.admin.formFields.publishedVersion', { version }));
    });
  });

  router.post('/demarches/:slug/formulaire/abandonner', async (req, res, next) => {
    const formType = await load(req);
    if (!formType) return next();
    await orStale(req, res, base(formType.slug), async () => {
      await discardDraft(ctx.db, currentAgent(req), formType.slug, stampOf(req.body));
      doneTo(req, res, base(formType.slug), t('ui.admin.formFields.discarded'));
    });
  });

  router.post('/demarches/:slug/formulaire/presentation', async (req, res, next) => {
    const formType = await load(req);
    if (!formType) return next();
    await attempt(res, async () => {
      await presentForm(ctx.db, currentAgent(req), formType.slug, { description: text(req.body, 'description', 1001), published: text(req.body, 'published', 8) === 'on' });
      doneTo(req, res, base(formType.slug), t('ui.admin.formFields.presented'));
    }, (error) => page(req, res, formType, { error }));
  });
  return router;
}
