// The agent's own hand-overs that are no action of one request's panel: « Traiter la
// suivante », « Libérer tous mes dossiers » (or a colleague's, from « Équipe »), and the
// choice that opening an unassigned request assigns it.
import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { serveNext } from '../../commands/next';
import { releaseAll, type HandOver } from '../../commands/releaseAll';
import { findAgentRowByCode, loadAgent, type Agent } from '../../db/agents';
import { openRequestsHeldBy, setOpensAssign } from '../../db/assignments';
import { membersOf } from '../../db/groups';
import { isReachable } from '../../db/presence';
import { t } from '../../i18n';
import { authorize } from '../../policies';
import { text } from './forms';
import { namedWithPresence } from './presenceControl';
import { renderPage } from './render';
import { currentAgent, safeReturn } from './session';

/** The colleagues who may be handed the holder's requests: the members of their groups, absent ones shown disabled. */
async function colleaguesOf(ctx: Ctx, holder: Agent) {
  const seen = new Map<string, { code: string; label: string; absent: boolean; name: string }>();
  for (const groupId of holder.groupIds) {
    for (const m of await membersOf(ctx.db, groupId)) {
      if (m.id !== holder.id && !seen.has(m.code)) {
        seen.set(m.code, { code: m.code, name: m.name, label: namedWithPresence(m), absent: !isReachable(m) });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** The agent whose requests the page releases: oneself, or the colleague of the address (404 when unknown). */
async function holderOf(ctx: Ctx, req: Request): Promise<Agent> {
  const me = currentAgent(req);
  if (req.params.code === undefined) {
    return me;
  }
  const row = await findAgentRowByCode(ctx.db, String(req.params.code));
  const holder = row && (await loadAgent(ctx.db, Number(row.id)));
  if (!holder) {
    throw CommandError.of(404, 'UNKNOWN_AGENT', { value: String(req.params.code) });
  }
  return holder;
}

const pathOf = (holder: Agent, me: Agent) => (holder.id === me.id ? '/mes-dossiers/liberer' : `/equipe/${encodeURIComponent(holder.code)}/liberer`);

async function releasePage(ctx: Ctx, req: Request, res: Response, holder: Agent, error?: string): Promise<void> {
  const me = currentAgent(req);
  const mine = holder.id === me.id;
  const rows = await openRequestsHeldBy(ctx.db, holder.id);
  await renderPage(ctx, req, res, 'releaseAll', {
    title: mine ? t('ui.releaseAll.title') : t('ui.releaseAll.titleFor', { name: holder.name }),
    rows,
    count: rows.length,
    colleagues: rows.length ? await colleaguesOf(ctx, holder) : [],
    action: pathOf(holder, me),
    error,
    navPath: mine ? '/mon-compte' : '/equipe',
  });
}

/** What the form asks: « Tout libérer », or « Tout remettre » to the chosen colleague. */
function handOverOf(body: unknown): HandOver {
  if (text(body, 'mode', 16) !== 'remettre') {
    return { to: null };
  }
  const to = text(body, 'agent', 64);
  if (!to) {
    throw new CommandError(400, 'INVALID_INPUT', t('ui.releaseAll.unknownColleague'), 'agent');
  }
  return { to };
}

function summaryOf(outcome: Awaited<ReturnType<typeof releaseAll>>): { kind: 'success' | 'error'; message: string } {
  const said = outcome.toName === null
    ? t('ui.releaseAll.released', { count: outcome.done })
    : t('ui.releaseAll.handed', { count: outcome.done, name: outcome.toName });
  const refused = outcome.refused.map((r) => t('ui.releaseAll.refused', r));
  return { kind: refused.length ? 'error' : 'success', message: [said, ...refused].join(' ') };
}

export function assignmentRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  // « Traiter la suivante »: to the request served, or back with the reason (not available, nothing waiting).
  router.post('/suivante', async (req, res) => {
    try {
      const { request } = await serveNext(ctx, currentAgent(req));
      req.session.flash = { kind: 'success', message: t('ui.next.served', { reference: request.reference }) };
      res.redirect(303, `/demandes/${encodeURIComponent(request.reference)}`);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      req.session.flash = { kind: 'error', message: err.message };
      res.redirect(303, safeReturn(text(req.body, 'retour', 2000)));
    }
  });

  for (const path of ['/mes-dossiers/liberer', '/equipe/:code/liberer']) {
    // The preview: what will be released, and to whom it may go instead.
    router.get(path, async (req, res) => {
      const holder = await holderOf(ctx, req);
      authorize(currentAgent(req), 'releaseAllOf', holder);
      await releasePage(ctx, req, res, holder);
    });

    router.post(path, async (req, res) => {
      const holder = await holderOf(ctx, req);
      try {
        req.session.flash = summaryOf(await releaseAll(ctx, currentAgent(req), holder, handOverOf(req.body)));
      } catch (err) {
        if (!(err instanceof CommandError) || err.status === 403 || err.status === 404) throw err;
        res.status(err.status);
        await releasePage(ctx, req, res, holder, err.message);
        return;
      }
      res.redirect(303, pathOf(holder, currentAgent(req)));
    });
  }

  router.post('/mon-compte/ouverture', async (req, res) => {
    await setOpensAssign(ctx.db, currentAgent(req).id, text(req.body, 'ouverture', 8) === 'oui');
    req.session.flash = { kind: 'success', message: t('ui.openAssigns.saved') };
    res.redirect(303, '/mon-compte');
  });
  return router;
}
