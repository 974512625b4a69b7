import express, { type Request, type Response } from 'express';
import type { Ctx } from '../../commands/context';
import { requestPasswordReset, setPasswordByLink } from '../../accounts/passwordLinks';
import { sendAccountLink } from '../../accounts/links';
import { ResetLimiter } from '../../accounts/resetLimiter';
import { MIN_PASSWORD_LENGTH } from '../../accounts/passwordRules';
import { agentOfToken, type TokenPurpose } from '../../db/accountTokens';
import { findActiveAgentRow, type AgentRow } from '../../db/agents';
import { isNewRequestChoice, NEW_REQUEST_CHOICES, newRequestChoiceOf, setNewRequestChoice } from '../../db/notificationPrefs';
import { serviceNamesOf } from '../../db/services';
import { opensAssign } from '../../db/assignments';
import { t } from '../../i18n';
import { text } from './forms';
import { renderPage } from './render';
import { canChooseRole, currentAgent, passwordPagesOnly, safeReturn, type Role } from './session';

/** The two pages a link of an e-mail opens, without login: same form, different words. */
const LINK_PAGES: Record<TokenPurpose, { path: string; view: string; words: string }> = {
  ACTIVATION: { path: '/activation/:token', view: 'activation', words: 'ui.account.activation' },
  PASSWORD_RESET: { path: '/reinitialisation/:token', view: 'activation', words: 'ui.account.reset' },
};

function linkRoutes(ctx: Ctx, router: express.Router, purpose: TokenPurpose): void {
  const { path, view, words } = LINK_PAGES[purpose];
  const page = async (req: Request, res: Response, agent: AgentRow | undefined, error?: string) => {
    // The page names the agent only while the link works; a dead link says so and nothing more.
    if (!agent) {
      res.status(410);
      await renderPage(ctx, req, res, 'error', { title: t(`${words}.title`), message: t(`${words}.invalidLink`) });
      return;
    }
    await renderPage(ctx, req, res, view, {
      title: t(`${words}.title`),
      heading: t(`${words}.heading`),
      intro: t(`${words}.intro`, { name: agent.name, code: agent.code }),
      submit: t(`${words}.submit`),
      min: MIN_PASSWORD_LENGTH,
      action: req.originalUrl,
      code: agent.code,
      error,
    });
  };
  const agentOf = async (token: string): Promise<AgentRow | undefined> => {
    const id = token.length <= 100 ? await agentOfToken(ctx.db, token, purpose) : null;
    return id === null ? undefined : findActiveAgentRow(ctx.db, id);
  };

  router.get(path, async (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    await page(req, res, await agentOf(String(req.params.token)));
  });

  router.post(path, async (req, res) => {
    const token = String(req.params.token);
    const agent = await agentOf(token);
    if (!agent) {
      await page(req, res, undefined);
      return;
    }
    const outcome = await setPasswordByLink(ctx.db, purpose, token, text(req.body, 'password', 500, false), text(req.body, 'confirmation', 500, false));
    if (!outcome.ok) {
      if (outcome.problem === null) {
        await page(req, res, undefined);
        return;
      }
      res.status(400);
      await page(req, res, agent, outcome.problem);
      return;
    }
    req.session.flash = { kind: 'success', message: t(`${words}.done`) };
    res.redirect(303, '/connexion');
  });
}

/** Activation, "Mot de passe oublié ?" and reset: open without login. */
export function publicAccountRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  // Single sign-on only: no password to choose, reset or log in with.
  router.use(['/activation', '/reinitialisation', '/mot-de-passe-oublie'], passwordPagesOnly(ctx));
  linkRoutes(ctx, router, 'ACTIVATION');
  linkRoutes(ctx, router, 'PASSWORD_RESET');

  const resets = new ResetLimiter(ctx.db);
  const forgotPage = (req: Request, res: Response, model: Record<string, unknown>) =>
    renderPage(ctx, req, res, 'resetRequest', { title: t('ui.account.forgot.title'), ...model });

  router.get('/mot-de-passe-oublie', async (req, res) => {
    await forgotPage(req, res, {});
  });

  router.post('/mot-de-passe-oublie', async (req, res) => {
    const who = text(req.body, 'who', 254);
    if (!who) {
      res.status(400);
      await forgotPage(req, res, { error: t('ui.account.forgot.required') });
      return;
    }
    // The same answer whether or not an account matched, and whether or not a limit held
    // the e-mail back: the page reveals no account.
    if (await resets.forAddress(req.ip ?? 'unknown')) {
      await requestPasswordReset(ctx.db, ctx.config, who, (agent) => resets.forAccount(agent.id));
    }
    await forgotPage(req, res, { sent: true });
  });
  return router;
}

/** "Mon compte" and the role choice: behind login. */
export function accountRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/role', async (req, res) => {
    const agent = currentAgent(req);
    if (!canChooseRole(agent)) {
      res.redirect(303, agent.isAdmin ? '/admin' : '/');
      return;
    }
    await renderPage(ctx, req, res, 'role', { title: t('ui.account.role.title'), retour: safeReturn(req.query.retour) });
  });

  router.post('/role', async (req, res) => {
    const agent = currentAgent(req);
    const role = text(req.body, 'role', 16) as Role;
    if (!canChooseRole(agent) || (role !== 'agent' && role !== 'admin')) {
      res.status(400);
      await renderPage(ctx, req, res, 'error', { title: t('ui.account.role.title'), message: t('ui.account.role.invalid') });
      return;
    }
    req.session.role = role;
    const retour = safeReturn(text(req.body, 'retour', 2000));
    res.redirect(303, role === 'admin' ? (retour.startsWith('/admin') ? retour : '/admin') : retour.startsWith('/admin') ? '/' : retour);
  });

  const accountPage = async (req: Request, res: Response, model: Record<string, unknown> = {}) => {
    const agent = currentAgent(req);
    const current = await newRequestChoiceOf(ctx.db, agent.id);
    const services = await serviceNamesOf(ctx.db, agent.serviceIds);
    const choices = NEW_REQUEST_CHOICES.map((value) => ({
      value,
      label: t(`ui.account.page.${value}`, { hour: ctx.config.digestHour }),
      checked: value === current,
    }));
    const opensAssignOn = await opensAssign(ctx.db, agent.id);
    await renderPage(ctx, req, res, 'account', {
      title: t('ui.account.page.title'), agent, services, choices, opensAssign: opensAssignOn, passwordLogin: ctx.config.passwordLogin, ...model,
    });
  };

  router.get('/mon-compte', async (req, res) => {
    await accountPage(req, res);
  });

  router.post('/mon-compte/courriels', async (req, res) => {
    const choice = text(req.body, 'choice', 16);
    if (!isNewRequestChoice(choice)) {
      res.status(400);
      await accountPage(req, res, { error: t('ui.account.page.invalidChoice') });
      return;
    }
    await setNewRequestChoice(ctx.db, currentAgent(req).id, choice);
    req.session.flash = { kind: 'success', message: t('ui.account.page.saved') };
    res.redirect(303, '/mon-compte');
  });

  router.post('/mon-compte/mot-de-passe', passwordPagesOnly(ctx), async (req, res) => {
    // The session's agent is active: requireAgent loaded them.
    const agent = (await findActiveAgentRow(ctx.db, currentAgent(req).id))!;
    await sendAccountLink(ctx.db, ctx.config, agent, 'PASSWORD_RESET');
    req.session.flash = { kind: 'success', message: t('ui.account.page.resetSent', { email: agent.email }) };
    res.redirect(303, '/mon-compte');
  });
  return router;
}
