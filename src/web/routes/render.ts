import type { Request, Response } from 'express';
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { queuesStamp } from '../../db/changes';
import { t } from '../../i18n';
import { can, supervisesAny } from '../../policies';
import { countsOf, RUBRIQUES } from './rubriques';
import { chatBadge } from './chatBadge';
import { phonePanelFor } from './phonePanel';
import { navBadges } from '../../db/navBadges';

export interface NavItem {
  href: string;
  label: string;
  count: number | null;
  current: boolean;
}

export interface NavModel {
  agentName: string;
  items: NavItem[];
  /** « Entraide » and its unread badge (src/web/routes/chat.ts) */
  chat: { current: boolean; badge: ReturnType<typeof chatBadge> };
}

/** Pages of the nav after the rubriques. */
const EXTRA_NAV: [string, string][] = [['/usagers', 'ui.citizens.nav'], ['/recherche', 'ui.search.title'], ['/base-de-connaissances', 'ui.kb.nav'], ['/journal', 'ui.journal.title'], ['/statistiques', 'ui.statistics.title'], ['/equipe', 'ui.team.nav']];

export const isHtmx = (req: Request): boolean => req.get('HX-Request') === 'true';

/** Kept in the database only when no SMTP server is configured: then a page shows them. */
export const devMailboxEnabled = (ctx: Ctx): boolean => !ctx.config.smtpUrl;

/** The nav's link to it: for administrators only, the only ones who may open it. */
export const showsDevMailbox = (ctx: Ctx, req: Request): boolean => devMailboxEnabled(ctx) && req.agent !== undefined && can(req.agent, 'devMailbox');

export async function navModel(ctx: Ctx, agent: Agent, path: string): Promise<NavModel> {
  // Side by side: each is a round trip of its own to the database (several on MariaDB's pool).
  const [counts, { consultationsPending, callbacksDue, chatUnread }] = await Promise.all([countsOf(ctx.db, agent), navBadges(ctx.db, agent)]);
  const items: NavItem[] = [{ href: '/', label: t('ui.rubriques.home.nav'), count: null, current: path === '/' }];
  for (const r of RUBRIQUES.filter((v) => v.inNav?.(counts) ?? true)) {
    const href = `/demandes/${r.slug}`;
    items.push({ href, label: t(`ui.rubriques.${r.key}.nav`), count: r.count?.(counts) ?? null, current: path === href });
  }
  // The questions asked of the agent's groups, awaiting their answer.
  const consultations = '/demandes/consultations';
  items.push({ href: consultations, label: t('ui.consultations.nav'), count: consultationsPending, current: path === consultations });
  // The board, for whoever supervises a group.
  // « À rappeler »: the callbacks due now, for the agent and for their groups.
  items.push({ href: '/demandes/a-rappeler', label: t('ui.callbacks.nav'), count: callbacksDue, current: path === '/demandes/a-rappeler' });
  for (const [href, key] of supervisesAny(agent) ? [...EXTRA_NAV, ['/supervision', 'ui.board.nav']] : EXTRA_NAV) {
    items.push({ href, label: t(key), count: null, current: path === href });
  }
  const chat = { current: path === '/entraide' || path.startsWith('/entraide/'), badge: chatBadge(chatUnread) };
  return { agentName: agent.name, items, chat };
}

/** A full page in the main layout, with the nav when an agent is logged in and the pending flash message. */
export async function renderPage(ctx: Ctx, req: Request, res: Response, view: string, model: Record<string, unknown>): Promise<void> {
  // A page shown in answer to a form post (a list after a refused bulk action) names the tab it belongs to.
  const agent = req.agent;
  const [nav, refresh, phone] = agent
    ? await Promise.all([
      navModel(ctx, agent, typeof model.navPath === 'string' ? model.navPath : req.path),
      // The stamp a page starts with, so that its first poll already tells a change.
      model.refresh ?? queuesStamp(ctx.db, agent.groupIds).then((stamp) => ({ stamp, reference: '' })),
      // The call panel (src/web/routes/phonePanel.ts), on every agent page once a connector is set up.
      phonePanelFor(ctx, agent, null),
    ])
    : [null, model.refresh ?? null, null];
  const flash = req.session?.flash;
  if (flash) {
    delete req.session.flash;
  }
  res.render(view, { ...model, nav, flash, refresh, phone, devMailbox: showsDevMailbox(ctx, req) });
}

/**
 * A page whose parts htmx replaces (a list's rows under its filters, sorting and paging):
 * an htmx request gets only the part it targets, by the target's id in `parts`, as the
 * htmx examples answer with their rows; any other request gets the whole page, and so does
 * htmx restoring a page of its history that it no longer keeps.
 */
export async function renderPageOrPart(ctx: Ctx, req: Request, res: Response, view: string, parts: Record<string, string>, model: Record<string, unknown>): Promise<void> {
  res.vary('HX-Request').vary('HX-Target').vary('HX-History-Restore-Request');
  if (isHtmx(req) && req.get('HX-History-Restore-Request') !== 'true') {
    renderFragment(res, parts[req.get('HX-Target') ?? ''] ?? Object.values(parts)[0], model);
    return;
  }
  await renderPage(ctx, req, res, view, model);
}

/** One partial alone: the answer to an htmx request, swapped into the page. */
export function renderFragment(res: Response, partial: string, model: Record<string, unknown>): void {
  res.render('fragment', { ...model, partial, layout: false });
}
