// Render time of the back office's list pages through HTTP, beside the time of the SQL
// those pages run (searchRequests: the page's rows and the count), for the same URLs,
// measured in the same run on the same database.
import type { Db } from '../src/db/connection';
import type { Agent } from '../src/db/agents';
import { searchRequests } from '../src/db/requestSearch';
import { parseListParams } from '../src/web/listParams';
import { listSpecOf } from '../src/web/routes/listSpecs';
import { latencies, type Latencies } from './stats';

export interface PageSpec {
  /** the JSON key's stem: unprocessed, service, search */
  key: string;
  label: string;
  /** the list's name in listSpecOf: a rubrique's slug or 'recherche' */
  view: string;
  path: string;
  /** query strings, used in turn: the default page, other sorts, further pages, other criteria */
  variants: string[];
  /** the page's SQL, when it is not its list's (the home page's counters and short lists); resolves with a count */
  sql?: (db: Db, agent: Agent) => Promise<number>;
}

export interface PageResult {
  spec: PageSpec;
  http: Latencies;
  sql: Latencies;
  /** rows the first variant lists in all (the count the page shows) */
  total: number;
  /** p50 of each variant, HTTP and SQL, to see which one costs */
  byVariant: { query: string; httpP50: number; sqlP50: number }[];
}

const parisDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(at);

/** The three pages of the issue, with a few variants each (sorts, pages, names, periods). */
export function pageSpecs(now = Date.now()): PageSpec[] {
  const DAY = 24 * 3600_000;
  const since = (days: number) => `depot_du=${parisDay(now - days * DAY)}&depot_au=${parisDay(now)}`;
  return [
    {
      key: 'unprocessed', label: 'Non traitées', view: 'non-traitees', path: '/demandes/non-traitees',
      variants: ['', 'tri=due&ordre=asc', 'page=2', 'tri=formType&ordre=desc', 'page=50'],
    },
    {
      key: 'service', label: 'Du service', view: 'du-service', path: '/demandes/du-service',
      variants: ['', 'tri=status&ordre=asc', 'page=2', 'tri=assignee&ordre=asc', 'page=50'],
    },
    {
      key: 'search', label: 'Recherche (nom + statut + dates)', view: 'recherche', path: '/recherche',
      variants: [
        `nom=lefevre&statut=EN_COURS&${since(90)}`,
        `nom=H%C3%A9lo%C3%AFse&statut=EN_COURS&statut=EN_ATTENTE&${since(180)}`,
        `nom=martin&statut=NON_TRAITEE&${since(30)}`,
        `nom=guerin&statut=EN_ATTENTE&${since(180)}&tri=due&ordre=asc`,
        `nom=moreau%20l%C3%A9a&statut=NON_TRAITEE&statut=EN_COURS&${since(60)}`,
      ],
    },
  ];
}

/** Logs in through the login form (its CSRF token included); returns the session cookie. */
export async function login(baseUrl: string, code: string, password: string): Promise<string> {
  const form = await fetch(`${baseUrl}/connexion`);
  const html = await form.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const firstCookie = form.headers.get('set-cookie')?.split(';')[0];
  if (!token || !firstCookie) {
    throw new Error(`login page without a CSRF token or a cookie (${form.status})`);
  }
  const res = await fetch(`${baseUrl}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: firstCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, code, password, retour: '/' }).toString(),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 303 || !cookie) {
    throw new Error(`login as ${code} refused: ${res.status}`);
  }
  return cookie;
}

const queryOf = (qs: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) {
    const had = out[k];
    out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return out;
};

export async function timeHttp(baseUrl: string, cookie: string, url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}${url}`, { headers: { cookie }, redirect: 'manual' });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200 || !body.includes('</html>')) {
    throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
  }
  return ms;
}

/** The list query of a page's URL, built as listModel builds it, so the SQL is the page's own. */
async function sqlOf(db: Db, agent: Agent, spec: PageSpec, qs: string): Promise<() => Promise<number>> {
  const query = queryOf(qs);
  const list = listSpecOf(spec.view, agent, query);
  if (!list) {
    throw new Error(`unknown list ${spec.view}`);
  }
  const params = await parseListParams(db, query, list.defaultSort);
  const filter = { ...params.filter, ...list.fixed, groupIds: agent.groupIds };
  return async () => (await searchRequests(db, filter, params.page)).total;
}

const p50 = (samples: number[]) => latencies(samples).p50;

/**
 * `warmup` then `iterations` sequential GETs, the variants in turn, each followed by the
 * same URL's SQL alone. Sequential: one agent's clicks, no queueing in the figure.
 */
export async function measurePage(
  opts: { baseUrl: string; cookie: string; db: Db; agent: Agent; warmup: number; iterations: number },
  spec: PageSpec,
): Promise<PageResult> {
  const urls = spec.variants.map((qs) => (qs ? `${spec.path}?${qs}` : spec.path));
  const own = spec.sql;
  const queries = await Promise.all(spec.variants.map((qs) => (own ? () => own(opts.db, opts.agent) : sqlOf(opts.db, opts.agent, spec, qs))));
  const http: number[][] = spec.variants.map(() => []);
  const sql: number[][] = spec.variants.map(() => []);
  let total = 0;
  // The page, then its SQL, in turn: a machine whose load changes during the run weighs on both alike.
  for (let i = 0; i < opts.warmup + opts.iterations; i += 1) {
    const v = i % urls.length;
    const pageMs = await timeHttp(opts.baseUrl, opts.cookie, urls[v]);
    const t0 = performance.now();
    const n = await queries[v]();
    const sqlMs = performance.now() - t0;
    if (v === 0) {
      total = n;
    }
    if (i >= opts.warmup) {
      http[v].push(pageMs);
      sql[v].push(sqlMs);
    }
  }
  return {
    spec,
    http: latencies(http.flat()),
    sql: latencies(sql.flat()),
    total,
    byVariant: spec.variants.map((query, i) => ({ query, httpP50: p50(http[i]), sqlP50: p50(sql[i]) })),
  };
}
