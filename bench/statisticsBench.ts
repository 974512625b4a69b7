// Two phases of `npm run bench`, on MariaDB (a schema of their own, dropped at the end):
//   --only stats    the statistics page for a year of one service and of all services, with
//                   BENCH_STATS_REQUESTS requests (1 000 000) over 20 services and 60 form
//                   types: p50/p95 of the page through HTTP beside statisticsOf alone;
//   --only exports  the journal of BENCH_EXPORTS_ROWS closed requests (1 000 000) to CSV
//                   and XLSX, each in a child process of its own: seconds, rows/s, peak RSS.
// Knob: BENCH_STATS_ITERATIONS (20 GETs of each page, after 3 warm-up GETs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/connection';
import { loadAgent, type Agent } from '../src/db/agents';
import { statisticsOf } from '../src/db/statistics';
import { refreshStatisticsDays } from '../src/db/statisticsDays';
import { parisIsoDay } from '../src/dates';
import { parisDay } from '../src/web/listParams';
import { countsOf } from '../src/web/routes/rubriques';
import { DEFAULT_MARIADB, describeExport, runExport, type ExportResult } from './backoffice';
import { login, timeHttp } from './backofficePages';
import { seedRequests } from './backofficeSeed';
import type { Cleanup } from './cleanup';
import { prepareEnv } from './env';
import { startChild } from './processes';
import { cityAgent, seedCity } from './statisticsCity';
import { describeLatencies, latencies, round1, type Latencies } from './stats';

type Log = (line: string) => void;

const AGENT = { code: 'banc-stats', password: 'banc-stats-mot-de-passe' };
const DAY = 24 * 3600_000;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

export interface StatsPageResult {
  key: 'statsService' | 'statsAll';
  label: string;
  url: string;
  http: Latencies;
  sql: Latencies;
  /** the nav's counters every page of the back office computes (src/web/routes/rubriques.ts) */
  nav: Latencies;
  received: number;
}

export interface StatsFigures {
  requests: number;
  seedSeconds: number;
  /** the daily aggregates' build: seconds, rows */
  statisticsDays: { seconds: number; rows: number };
  pages: StatsPageResult[];
  load: string;
}

async function seededEnv(cleanup: Cleanup, log: Log) {
  const env = await prepareEnv(cleanup, log, process.env.DATABASE_URL?.trim() || DEFAULT_MARIADB);
  log(`${env.databaseLabel}`);
  const services = await seedCity(env.db);
  const agentId = await cityAgent(env.db, AGENT.code, AGENT.password, services);
  return { env, agent: (await loadAgent(env.db, agentId))! };
}

/**
 * The statistics' daily aggregates, built as a worker builds them each
 * STATISTICS_REFRESH_MINUTES (the bench's web has no worker beside it): the page reads them.
 */
export async function rebuildStatisticsDays(db: Db, log: Log, phase: string): Promise<{ seconds: number; rows: number }> {
  const started = performance.now();
  const { rows } = await refreshStatisticsDays(db);
  const seconds = (performance.now() - started) / 1000;
  log(`${phase}: statistics' daily aggregates built in ${round1(seconds)} s (${rows} rows), as a worker does each STATISTICS_REFRESH_MINUTES`);
  return { seconds, rows };
}

/** The year of statistics up to `at`: the page's query string, and the same figures' SQL alone (statisticsOf, as the route calls it). */
export function statisticsYear(at: number, service?: string) {
  const du = parisIsoDay(at - 364 * DAY);
  const au = parisIsoDay(at);
  return {
    query: `du=${du}&au=${au}${service ? `&service=${service}` : ''}`,
    figures: (db: Db, agent: Agent) => statisticsOf(db, { groupIds: agent.groupIds, from: parisDay(du, false)!, to: parisDay(au, true)!, serviceSlug: service }),
  };
}

function statsPage(db: Db, agent: Agent, key: StatsPageResult['key'], service?: string) {
  const year = statisticsYear(Date.now(), service);
  const url = `/statistiques?${year.query}`;
  const sql = () => year.figures(db, agent);
  return { key, url, sql, label: service ? `Statistiques, un an du service ${service}` : 'Statistiques, un an de tous les services' };
}

export async function benchStatistics(cleanup: Cleanup, opts: { requests: number; iterations: number }, log: Log): Promise<StatsFigures> {
  const { env, agent } = await seededEnv(cleanup, log);
  log(`stats: seeding ${opts.requests} requests over 20 services and 60 form types…`);
  const seedSeconds = await seedRequests(env.db, { count: opts.requests, mix: 'realistic' });
  await env.db.raw('ANALYZE TABLE requests, events, emails');
  log(`stats: seeded in ${round1(seedSeconds)} s`);
  const statisticsDays = await rebuildStatisticsDays(env.db, log, 'stats');
  const web = await startChild(['web'], env.childEnv);
  cleanup.push('stop the web process', () => web.stop());
  const baseUrl = `http://127.0.0.1:${web.port}`;
  const cookie = await login(baseUrl, AGENT.code, AGENT.password);
  const loadBefore = loadAverage();
  const pages: StatsPageResult[] = [];
  for (const page of [statsPage(env.db, agent, 'statsService', 'urbanisme'), statsPage(env.db, agent, 'statsAll')]) {
    log(`stats: ${page.label}, 3 + ${opts.iterations} GETs, each followed by its SQL…`);
    const http: number[] = [];
    const sql: number[] = [];
    const nav: number[] = [];
    let received = 0;
    for (let i = 0; i < 3 + opts.iterations; i += 1) {
      const pageMs = await timeHttp(baseUrl, cookie, page.url);
      const t0 = performance.now();
      received = (await page.sql()).received;
      const t1 = performance.now();
      await countsOf(env.db, agent);
      if (i >= 3) {
        http.push(pageMs);
        sql.push(t1 - t0);
        nav.push(performance.now() - t1);
      }
    }
    pages.push({ key: page.key, label: page.label, url: page.url, http: latencies(http), sql: latencies(sql), nav: latencies(nav), received });
  }
  return { requests: opts.requests, seedSeconds, statisticsDays, pages, load: `${loadBefore} → ${loadAverage()}` };
}

export function reportStatistics(f: StatsFigures, log: Log): void {
  log('');
  log(`stats, ${f.requests} requests in MariaDB (seeded in ${round1(f.seedSeconds)} s; daily aggregates built in ${round1(f.statisticsDays.seconds)} s, ${f.statisticsDays.rows} rows); load average ${f.load} (${os.availableParallelism()} cores)`);
  for (const p of f.pages) {
    log(`${p.label} (${p.received} requests received in the year): ${p.url}`);
    log(`  page  ${describeLatencies(p.http)}`);
    log(`  SQL   ${describeLatencies(p.sql)} (statisticsOf)`);
    log(`  nav   ${describeLatencies(p.nav)} (the nav's counters, on every page)`);
  }
}

export function statisticsJson(f: StatsFigures): Record<string, number> {
  const out: Record<string, number> = { statsRequests: f.requests, statsDaysBuildSeconds: round1(f.statisticsDays.seconds) };
  for (const p of f.pages) {
    out[`${p.key}P50Ms`] = round1(p.http.p50);
    out[`${p.key}P95Ms`] = round1(p.http.p95);
    out[`${p.key}SqlP95Ms`] = round1(p.sql.p95);
    out[`${p.key}NavP95Ms`] = round1(p.nav.p95);
  }
  return out;
}

export interface ExportsFigures {
  rows: number;
  seedSeconds: number;
  exports: ExportResult[];
  load: string;
}

export async function benchExports(cleanup: Cleanup, opts: { rows: number }, log: Log): Promise<ExportsFigures> {
  const { env } = await seededEnv(cleanup, log);
  log(`exports: seeding ${opts.rows} closed requests (the journal)…`);
  const seedSeconds = await seedRequests(env.db, { count: opts.rows, mix: 'closed', seed: 7 });
  await env.db.raw('ANALYZE TABLE requests, events');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-exports-'));
  cleanup.push(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const loadBefore = loadAverage();
  const exports: ExportResult[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    log(`exports: the journal to ${format.toUpperCase()} in a child process…`);
    exports.push(await runExport(format, AGENT.code, env.childEnv, dir));
  }
  return { rows: opts.rows, seedSeconds, exports, load: `${loadBefore} → ${loadAverage()}` };
}

export function reportExports(f: ExportsFigures, log: Log): void {
  log('');
  log(`exports, ${f.rows} closed requests in MariaDB (seeded in ${round1(f.seedSeconds)} s); load average ${f.load} (${os.availableParallelism()} cores)`);
  for (const e of f.exports) {
    log(describeExport(e));
  }
}

export function exportsJson(f: ExportsFigures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of f.exports) {
    const k = e.format === 'csv' ? 'exportsCsv' : 'exportsXlsx';
    out[`${k}Rows`] = e.rows;
    out[`${k}Seconds`] = round1(e.seconds);
    out[`${k}RowsPerSec`] = Math.round(e.rows / Math.max(e.seconds, 1e-9));
    out[`${k}PeakMb`] = round1(e.peakRssMb);
  }
  return out;
}
