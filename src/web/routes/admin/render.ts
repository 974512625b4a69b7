import type { Request, Response } from 'express';
import type { Ctx } from '../../../commands/context';
import { CommandError } from '../../../commands/errors';
import { t } from '../../../i18n';
import { showsDevMailbox } from '../render';

const SECTIONS: [string, string][] = [
  ['/admin/services', 'ui.admin.nav.services'],
  ['/admin/demarches', 'ui.admin.nav.formTypes'],
  ['/admin/agents', 'ui.admin.nav.agents'],
  ['/admin/groupes', 'ui.admin.nav.groups'],
  ['/admin/codes/evenements', 'ui.admin.nav.eventTypes'],
  ['/admin/codes/clotures', 'ui.admin.nav.closingCodes'],
  ['/admin/codes/appels', 'ui.admin.nav.wrapUpCodes'],
  ['/admin/courriels', 'ui.admin.nav.emails'],
  ['/admin/reponses-types', 'ui.admin.nav.cannedReplies'],
  ['/admin/partenaires', 'ui.admin.nav.partners'],
  ['/admin/telephonie', 'ui.admin.nav.telephony'],
];

function adminNav(path: string) {
  return {
    items: SECTIONS.map(([href, key]) => ({ href, label: t(key), current: path === href || path.startsWith(`${href}/`) })),
  };
}

/** An administration page: the layout with the administration's nav instead of the rubriques. */
export function renderAdminPage(ctx: Ctx, req: Request, res: Response, view: string, model: Record<string, unknown>): void {
  const flash = req.session?.flash;
  if (flash) {
    delete req.session.flash;
  }
  res.render(`admin/${view}`, { ...model, adminNav: adminNav(req.baseUrl + req.path), flash, devMailbox: showsDevMailbox(ctx, req) });
}

/** Post/Redirect/Get with a message shown once on the next page. */
export function doneTo(req: Request, res: Response, location: string, message: string): void {
  req.session.flash = { kind: 'success', message };
  res.redirect(303, location);
}

/**
 * Runs an administration command; a refused input (400) re-renders the form with the
 * French reason and what was typed, and nothing was changed.
 */
export async function attempt(res: Response, action: () => Promise<void>, refused: (message: string, field?: string) => Promise<void> | void): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof CommandError && err.status === 400) {
      res.status(400);
      await refused(err.message, err.field);
      return;
    }
    throw err;
  }
}

/**
 * Post/Redirect/Get around an administration command: once it is done, to the place and
 * with the message `then` gives for its result; a refused input re-renders the form.
 */
export async function runThen<T>(req: Request, res: Response, command: () => Promise<T>, then: (result: T) => [location: string, message: string], refused: (message: string) => Promise<void> | void): Promise<void> {
  await attempt(res, async () => doneTo(req, res, ...then(await command())), refused);
}

/** A checkbox list's values: absent is none, one is a string, several are an array. */
export function many(body: unknown, name: string): string[] {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (Array.isArray(raw)) {
    return raw.filter((v): v is string => typeof v === 'string');
  }
  return typeof raw === 'string' ? [raw] : [];
}
