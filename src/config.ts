import path from 'node:path';
import { requireDelay } from './durations';
import { t } from './i18n';

/** Everything Guichet reads from the environment, in one place (the README lists the same). */
export interface Config {
  port: number;
  dataDir: string;
  /** Where the workflow bundle of each version of the code is kept (src/temporal/workflowBundle.ts). */
  workflowBundleDir: string;
  /** mysql://… when set; otherwise the embedded SQLite file under dataDir. */
  databaseUrl: string | null;
  /** host:port of a Temporal cluster; otherwise Guichet starts a dev server. */
  temporalAddress: string | null;
  temporalNamespace: string;
  temporalDevPort: number;
  temporalUiPort: number;
  taskQueue: string;
  /** smtp://… when set; otherwise e-mails stay in the database (dev mailbox). */
  smtpUrl: string | null;
  mailFrom: string;
  publicUrl: string;
  /**
   * Signs session cookies and citizens' reply links. Null when SESSION_SECRET is unset:
   * `guichet start` then keeps a random one in DATA_DIR; `guichet web` refuses to start.
   */
  sessionSecret: string | null;
  /** First part of request references, e.g. DEM in DEM-2026-000123. */
  referencePrefix: string;
  /** How often open pages ask whether a colleague changed something (seconds). */
  refreshSeconds: number;
  /** How often the supervisor's board redraws its figures (seconds). */
  boardRefreshSeconds: number;
  /** Express's "trust proxy": which proxies' X-Forwarded-* headers to believe (client address, HTTPS). */
  trustProxy: boolean | number | string;
  /** Hour (Paris time, 0-23) at which the daily digest of new requests goes out. */
  digestHour: number;
  /**
   * Seconds between two batches of the information e-mails on new requests (« at once »):
   * each agent gets one e-mail per batch listing its new requests; 0 sends one per request.
   */
  newRequestBatchSeconds: number;
  /** Online forms accepted per client address and per hour (anti-abuse). */
  formSubmissionsPerHour: number;
  /** Tracking pages (lookups by code, reply form, downloads) per client address and per hour. */
  trackingRequestsPerHour: number;
  /** Webhook deliveries: first retry after this, doubling up to the maximum, given up after giveUp (ms). */
  webhookRetryInitialMs: number;
  webhookRetryMaxMs: number;
  webhookGiveUpMs: number;
  /** How long one webhook POST may take before it counts as failed (ms). */
  webhookTimeoutMs: number;
  /** Webhooks may go to loopback and private addresses (tests, an intranet partner); off by default. */
  webhookAllowPrivate: boolean;
  /** `guichet worker` serves /metrics, /healthz and /readyz on this port when set (the web serves them on its own). */
  metricsPort: number | null;
  /** When set, /metrics asks `Authorization: Bearer <token>`; otherwise it answers only this machine's direct connections. */
  metricsToken: string | null;
  /**
   * REMINDERS_PER_SECOND: at most this many reminder e-mails handed to SMTP per second by each
   * worker's sweep (src/reminders/sweeper.ts: the reminders wake on time, their e-mails wait
   * in the outbox), and reminder activities started per second, over all workers, for the
   * workflows that still have timers (workflows/mailOptions.ts); null: no limit.
   */
  remindersPerSecond: number | null;
  /**
   * STATISTICS_REFRESH_MINUTES: every worker rebuilds the statistics' daily aggregates when
   * they are older than this (src/statistics/refresher.ts); 0: never (the page then counts
   * everything from the requests).
   */
  statisticsRefreshMinutes: number;
  /** The worker's slots and cache (WORKER_WORKFLOW_TASKS, WORKER_ACTIVITIES, WORKER_CACHED_WORKFLOWS); null: the SDK's default. */
  workerTuning: { workflowTasks: number | null; activities: number | null; cachedWorkflows: number | null };
  /** Single sign-on for agents through the municipality's OpenID provider; null when OIDC_ISSUER is unset. */
  sso: SsoConfig | null;
  /** The code and password form; PASSWORD_LOGIN=false leaves only single sign-on. */
  passwordLogin: boolean;
  /** On SIGTERM: how long requests in flight (web) and activities (worker) get to finish (seconds). */
  shutdownGraceSeconds: number;
}

/** An OpenID Connect provider (Keycloak, ProConnect…) where agents log in. */
export interface SsoConfig {
  /** The issuer, whose /.well-known/openid-configuration says the rest. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the agent back: Guichet's /connexion/oidc/retour, as registered at the provider. */
  redirectUrl: URL;
  /** Asked for at login; always holds openid. */
  scopes: string;
  /** Shown on the button: « Se connecter avec ProConnect ». */
  providerName: string;
  /** The provider checks every address it gives (ProConnect): an e-mail without email_verified is trusted too. */
  trustEmail: boolean;
}

/** TRUST_PROXY: "true", "false", a number of hops, or addresses/subnets ("loopback", "10.0.0.0/8"). */
function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const raw = text('TRUST_PROXY', env) ?? 'loopback';
  if (raw === 'true' || raw === 'false') {
    return raw === 'true';
  }
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

function int(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(t('cli.config.port', { name, raw }));
  }
  return value;
}

/** A whole number of seconds from 1 to 3600 (a stop longer than an hour is no stop). */
function seconds(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = text(name, env);
  if (raw === null) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 3600) {
    throw new Error(t('cli.config.seconds', { name, raw }));
  }
  return value;
}

/** A positive number (a whole one when `whole`), null when unset. */
function positive(name: string, env: NodeJS.ProcessEnv, whole = false): number | null {
  const raw = text(name, env);
  if (raw === null) {
    return null;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new Error(t(whole ? 'cli.config.count' : 'cli.config.rate', { name, raw }));
  }
  return value;
}

/** A duration such as `10s`, `1h`, `3d` (or `200ms` for tests). */
function duration(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = text(name, env);
  return raw === null ? fallback : requireDelay(raw, name);
}

function text(name: string, env: NodeJS.ProcessEnv): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/** The default of earlier versions, published in their source: whoever has it forges sessions and links. */
export const PUBLISHED_SECRET = 'guichet-dev-secret-change-me';

function sessionSecret(env: NodeJS.ProcessEnv): string | null {
  const value = text('SESSION_SECRET', env);
  if (value === PUBLISHED_SECRET) {
    throw new Error(t('cli.config.publishedSecret'));
  }
  return value;
}

/** Plain HTTP carries the client secret and the codes in clear: only to this machine (tests, a provider beside Guichet). */
const isLoopback = (url: URL): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

function url(name: string, raw: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(t('sso.config.badUrl', { name, raw }));
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(parsed))) {
    throw new Error(t('sso.config.notHttps', { name, raw }));
  }
  return parsed;
}

function required(name: string, env: NodeJS.ProcessEnv): string {
  const value = text(name, env);
  if (value === null) {
    throw new Error(t('sso.config.missing', { name }));
  }
  return value;
}

function sso(env: NodeJS.ProcessEnv, publicUrl: string): SsoConfig | null {
  const issuer = text('OIDC_ISSUER', env);
  if (issuer === null) {
    return null;
  }
  const scopes = (text('OIDC_SCOPES', env) ?? 'openid email profile').split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid')) {
    throw new Error(t('sso.config.scopes'));
  }
  const parsed = url('OIDC_ISSUER', issuer);
  return {
    issuer: parsed,
    clientId: required('OIDC_CLIENT_ID', env),
    clientSecret: required('OIDC_CLIENT_SECRET', env),
    redirectUrl: url('OIDC_REDIRECT_URL', text('OIDC_REDIRECT_URL', env) ?? `${publicUrl}/connexion/oidc/retour`),
    scopes: scopes.join(' '),
    providerName: text('OIDC_PROVIDER_NAME', env) ?? parsed.hostname,
    trustEmail: flag('OIDC_TRUST_EMAIL', false, env),
  };
}

function flag(name: string, fallback: boolean, env: NodeJS.ProcessEnv): boolean {
  const raw = text(name, env);
  if (raw === null) {
    return fallback;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw new Error(t('sso.config.flag', { name, raw }));
  }
  return raw === 'true';
}

/** PASSWORD_LOGIN=false without a provider would leave nobody able to log in. */
function passwordLogin(env: NodeJS.ProcessEnv, withSso: boolean): boolean {
  const on = flag('PASSWORD_LOGIN', true, env);
  if (!on && !withSso) {
    throw new Error(t('sso.config.nobodyCanLogin'));
  }
  return on;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('PORT', 3000, env);
  const publicUrl = (text('PUBLIC_URL', env) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const ssoConfig = sso(env, publicUrl);
  const dataDir = path.resolve(text('DATA_DIR', env) ?? 'data');
  return {
    port,
    dataDir,
    workflowBundleDir: path.resolve(text('WORKFLOW_BUNDLE_DIR', env) ?? path.join(dataDir, 'workflow-bundles')),
    databaseUrl: text('DATABASE_URL', env),
    temporalAddress: text('TEMPORAL_ADDRESS', env),
    temporalNamespace: text('TEMPORAL_NAMESPACE', env) ?? 'default',
    temporalDevPort: int('TEMPORAL_DEV_PORT', 7233, env),
    temporalUiPort: int('TEMPORAL_UI_PORT', 8233, env),
    taskQueue: text('TEMPORAL_TASK_QUEUE', env) ?? 'guichet',
    smtpUrl: text('SMTP_URL', env),
    mailFrom: text('MAIL_FROM', env) ?? 'Guichet <guichet@mairie.example>',
    publicUrl,
    sessionSecret: sessionSecret(env),
    referencePrefix: text('REFERENCE_PREFIX', env) ?? 'DEM',
    refreshSeconds: Math.max(1, int('REFRESH_SECONDS', 15, env)),
    boardRefreshSeconds: Math.max(1, int('BOARD_REFRESH_SECONDS', 10, env)),
    trustProxy: trustProxy(env),
    digestHour: Math.min(23, int('DIGEST_HOUR', 7, env)),
    newRequestBatchSeconds: Math.min(60, int('NEW_REQUEST_BATCH_SECONDS', 30, env)),
    formSubmissionsPerHour: Math.max(1, int('FORM_SUBMISSIONS_PER_HOUR', 10, env)),
    trackingRequestsPerHour: Math.max(1, int('TRACKING_REQUESTS_PER_HOUR', 60, env)),
    webhookRetryInitialMs: duration('WEBHOOK_RETRY_INITIAL', 10_000, env),
    webhookRetryMaxMs: duration('WEBHOOK_RETRY_MAX', 3_600_000, env),
    webhookGiveUpMs: duration('WEBHOOK_GIVE_UP', 3 * 86_400_000, env),
    webhookTimeoutMs: duration('WEBHOOK_TIMEOUT', 10_000, env),
    webhookAllowPrivate: text('WEBHOOK_ALLOW_PRIVATE', env) === 'true',
    metricsPort: text('METRICS_PORT', env) === null ? null : int('METRICS_PORT', 0, env),
    metricsToken: text('METRICS_TOKEN', env),
    remindersPerSecond: positive('REMINDERS_PER_SECOND', env),
    statisticsRefreshMinutes: int('STATISTICS_REFRESH_MINUTES', 60, env),
    workerTuning: {
      workflowTasks: positive('WORKER_WORKFLOW_TASKS', env, true),
      activities: positive('WORKER_ACTIVITIES', env, true),
      cachedWorkflows: positive('WORKER_CACHED_WORKFLOWS', env, true),
    },
    sso: ssoConfig,
    passwordLogin: passwordLogin(env, ssoConfig !== null),
    shutdownGraceSeconds: seconds('SHUTDOWN_GRACE_SECONDS', 25, env),
  };
}

export function temporalAddressOf(config: Config): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalDevPort}`;
}
