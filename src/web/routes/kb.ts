// The knowledge base (« Base de connaissances »): the list and its search, an article, its
// form (new and edit, for who has the right), its versions; and the panel beside a request
// (its search answers here too). Every agent reads every article.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { loadForReading } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { saveArticle } from '../../commands/kb/saveArticle';
import type { Agent } from '../../db/agents';
import { allTags, articlesByIds, findArticle, latestArticles, type Article } from '../../db/kbArticles';
import { searchArticleIds } from '../../db/kbSearch';
import { listFormTypes } from '../../db/formTypes';
import { listServices } from '../../db/services';
import { t } from '../../i18n';
import { articleFormInput, MAX_BODY, MAX_NOTE, MAX_TITLE } from '../../kb/articleInput';
import { kbPanelModel } from '../../kb/panel';
import { versionsModel } from '../../kb/versions';
import { listed, shown, tagLink } from '../../kb/views';
import { abilities, authorize, can } from '../../policies';
import { text } from './forms';
import { isHtmx, renderFragment, renderPage } from './render';
import { currentAgent } from './session';

const LIST_SIZE = 50;
const BASE = '/base-de-connaissances';

/** The article the URL names, or « not found ». */
async function articleOf(ctx: Ctx, raw: unknown): Promise<Article> {
  const id = Number(raw);
  const article = Number.isSafeInteger(id) && id > 0 ? await findArticle(ctx.db, id) : undefined;
  if (!article) {
    throw CommandError.of(404, 'KB_NOT_FOUND');
  }
  return article;
}

/** Whether the agent may write some article: the « Nouvel article » button. */
const writesSome = (agent: Agent) => can(agent, 'writeArticle', { service_id: null });

/** The list: a search (ranked), one tag's articles, or the latest. */
async function listModel(ctx: Ctx, req: Request) {
  const q = text(req.query, 'q', 200);
  const tag = text(req.query, 'etiquette', 60);
  const articles = q ? await articlesByIds(ctx.db, await searchArticleIds(ctx.db, q, LIST_SIZE)) : await latestArticles(ctx.db, LIST_SIZE, tag || undefined);
  return { q, tag, tags: (await allTags(ctx.db)).map((name) => ({ ...tagLink(name), current: name === tag })), articles: articles.map(listed), searched: Boolean(q) };
}

/** The article form's choices: the services the agent may write for, every form type. */
async function formChoices(ctx: Ctx, agent: Agent, values: { serviceId: number | null; formTypeIds: number[] }) {
  const [services, formTypes] = await Promise.all([listServices(ctx.db), listFormTypes(ctx.db)]);
  return {
    allServices: can(agent, 'writeArticle', { service_id: null }),
    services: services.filter((s) => can(agent, 'writeArticle', { service_id: s.id }) || s.id === values.serviceId)
      .map((s) => ({ value: s.id, label: s.name, selected: s.id === values.serviceId })),
    formTypes: formTypes.map((f) => ({ value: f.id, label: f.title, service: f.service_name, checked: values.formTypeIds.includes(f.id), id: `kb-form-${f.id}` })),
    max: { title: MAX_TITLE, body: MAX_BODY, note: MAX_NOTE },
  };
}

type Values = { title: string; body: string; tags: string; serviceId: number | null; formTypeIds: number[]; isPublic: boolean; note: string };

const valuesOf = (article?: Article): Values => ({
  title: article?.title ?? '', body: article?.body ?? '', tags: article?.tags.join(', ') ?? '', serviceId: article?.serviceId ?? null,
  formTypeIds: article?.formTypeIds ?? [], isPublic: article?.isPublic ?? false, note: '',
});

/** The values as the agent typed them, to show the form again with its error. */
function typedValues(body: Record<string, unknown> | undefined): Values {
  const raw = articleFormInput(body);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const forms = Array.isArray(raw.formTypes) ? raw.formTypes : [raw.formTypes];
  return {
    title: str(raw.title), body: str(raw.body), tags: str(raw.tags), serviceId: Number(raw.service) || null,
    formTypeIds: forms.map(Number).filter(Number.isSafeInteger), isPublic: raw.isPublic, note: str(raw.note),
  };
}

async function renderForm(ctx: Ctx, req: Request, res: Response, article: Article | undefined, values: Values, error?: CommandError) {
  if (error) {
    res.status(error.status);
  }
  await renderPage(ctx, req, res, 'kb/edit', {
    title: article ? t('ui.kb.edit.title', { title: article.title }) : t('ui.kb.edit.newTitle'),
    navPath: BASE, article, values, error: error?.message, errorField: error?.field, failed: Boolean(error),
    action: article ? `${BASE}/${article.id}` : BASE,
    ...(await formChoices(ctx, currentAgent(req), values)),
  });
}

/** Saves the form; a refusal or an invalid field shows it again as typed. */
async function save(ctx: Ctx, req: Request, res: Response, article: Article | undefined): Promise<void> {
  const agent = currentAgent(req);
  try {
    const saved = await saveArticle(ctx, agent, { id: article?.id ?? null, input: articleFormInput(req.body) });
    req.session.flash = { kind: 'success', message: t(article ? 'ui.kb.saved' : 'ui.kb.created', { version: saved.version }) };
    res.redirect(303, `${BASE}/${saved.id}`);
  } catch (err) {
    if (!(err instanceof CommandError) || err.status === 404) throw err;
    await renderForm(ctx, req, res, article, typedValues(req.body), err);
  }
}

export function kbRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get(BASE, async (req, res) => {
    res.vary('HX-Request');
    const model = { ...(await listModel(ctx, req)), canWrite: writesSome(currentAgent(req)) };
    if (isHtmx(req)) {
      renderFragment(res, 'kb/results', model);
      return;
    }
    await renderPage(ctx, req, res, 'kb/list', { title: t('ui.kb.title'), ...model });
  });

  router.get(`${BASE}/nouveau`, async (req, res) => {
    authorize(currentAgent(req), 'writeArticle', { service_id: null });
    await renderForm(ctx, req, res, undefined, valuesOf());
  });

  router.post(BASE, (req, res) => save(ctx, req, res, undefined));

  router.get(`${BASE}/:id`, async (req, res) => {
    const article = await articleOf(ctx, req.params.id);
    await renderPage(ctx, req, res, 'kb/article', {
      title: article.title, navPath: BASE, article: shown(article), canEdit: can(currentAgent(req), 'writeArticle', { service_id: article.serviceId }),
    });
  });

  router.get(`${BASE}/:id/modifier`, async (req, res) => {
    const article = await articleOf(ctx, req.params.id);
    authorize(currentAgent(req), 'writeArticle', { service_id: article.serviceId });
    await renderForm(ctx, req, res, article, valuesOf(article));
  });

  router.post(`${BASE}/:id`, async (req, res) => save(ctx, req, res, await articleOf(ctx, req.params.id)));

  router.get(`${BASE}/:id/versions`, async (req, res) => {
    const article = await articleOf(ctx, req.params.id);
    await renderPage(ctx, req, res, 'kb/versions', {
      title: t('ui.kb.versions.title', { title: article.title }), navPath: BASE, article, versions: await versionsModel(ctx.db, article.id),
    });
  });

  // The panel beside a request: its search (htmx), for whoever may read the request.
  router.get('/demandes/:reference/articles', async (req, res) => {
    const agent = currentAgent(req);
    const request = await loadForReading(ctx, agent, String(req.params.reference));
    const panel = await kbPanelModel(ctx, request, abilities(agent, request).annotate, text(req.query, 'q', 200));
    renderFragment(res, 'kb/panelResults', { ...panel });
  });

  return router;
}
