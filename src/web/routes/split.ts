// « Autres opérations » → « Scinder » (Athena §13): the form (what each new request is
// about, and the original's message), then the split (src/commands/split.ts).
import express, { type Request, type Response } from 'express';
import { loadForAgent, type Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { parseInput, splitSchema } from '../../commands/schemas';
import { split } from '../../commands/split';
import { findPersonal, type RequestRow } from '../../db/requests';
import { t } from '../../i18n';
import { authorize } from '../../policies';
import { text } from './forms';
import { renderPage } from './render';
import { renderRefusal } from './requestPage';
import { currentAgent } from './session';

/** The form's fields, in the order of the page, and the schema's path of each. */
const FIELDS = [
  { name: 'premiere', path: 'parts.0.message', label: 'ui.split.first' },
  { name: 'seconde', path: 'parts.1.message', label: 'ui.split.second' },
  { name: 'message', path: 'message', label: 'ui.split.original' },
] as const;

type Values = Record<(typeof FIELDS)[number]['name'], string>;

function valuesOf(body: unknown): Values {
  const read = (name: string) => text(body, name, Infinity, false).replace(/\r\n?/g, '\n');
  return { premiere: read('premiere'), seconde: read('seconde'), message: read('message') };
}

/** The page: the form as typed, with the problem beside its field and in the summary, or the refusal on top. */
async function formPage(ctx: Ctx, req: Request, res: Response, request: RequestRow, values: Values, problem?: CommandError) {
  const field = problem?.code === 'INVALID_INPUT' ? FIELDS.find((f) => f.path === problem.field || f.name === problem.field) : undefined;
  await renderPage(ctx, req, res, 'split', {
    title: t('ui.split.title', { reference: request.reference }),
    request,
    values,
    errors: field ? { [field.name]: problem!.message } : {},
    summary: field ? [{ href: `#split-${field.name}`, label: t(field.label), message: problem!.message }] : [],
    alert: problem && !field ? problem.message : null,
    failed: Boolean(problem),
    citizenHasEmail: Boolean((await findPersonal(ctx.db, request.id))?.email),
  });
}

async function loadForSplit(ctx: Ctx, req: Request): Promise<RequestRow> {
  const agent = currentAgent(req);
  const request = await loadForAgent(ctx, agent, String(req.params.reference));
  authorize(agent, 'split', request);
  return request;
}

export function splitRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/demandes/:reference/scinder', async (req, res) => {
    try {
      await formPage(ctx, req, res, await loadForSplit(ctx, req), { premiere: '', seconde: '', message: '' });
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      await renderRefusal(ctx, req, res, err);
    }
  });

  router.post('/demandes/:reference/scinder', async (req, res) => {
    let request: RequestRow;
    try {
      request = await loadForSplit(ctx, req);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      await renderRefusal(ctx, req, res, err);
      return;
    }
    const values = valuesOf(req.body);
    try {
      const props = parseInput(splitSchema, { parts: [{ message: values.premiere }, { message: values.seconde }], message: values.message });
      const done = await split(ctx, currentAgent(req), request.reference, props);
      const [first, second] = done.parts.map((p) => p.reference);
      req.session.flash = { kind: 'success', message: t('ui.split.done', { reference: request.reference, first, second }) };
      res.redirect(303, `/demandes/${encodeURIComponent(request.reference)}`);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      if (err.status === 403 || err.status === 404) {
        await renderRefusal(ctx, req, res, err);
        return;
      }
      if (err.code === 'SPLIT_UNCONFIRMED') {
        // Under way, only slow: the request's page shows it once done (or refused).
        req.session.flash = { kind: 'error', message: err.message };
        res.redirect(303, `/demandes/${encodeURIComponent(request.reference)}`);
        return;
      }
      res.status(err.status);
      await formPage(ctx, req, res, request, values, err);
    }
  });

  return router;
}
