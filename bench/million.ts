// The million-request phase of `npm run bench -- --only million`: with 1 000 000 requests
// of a city in MariaDB (20 services, 60 form types, 3 years; bench/millionSchema.ts keeps
// the seeded schema between runs), each list page through HTTP — for an agent of one
// service and for an agent of every service — beside the SQL of its query, with the CPU
// each process spent. Goal: every page's p95 ≤ 100 ms and ≤ 3 × its SQL's.
//
// Knobs: BENCH_MILLION_REQUESTS (1000000), BENCH_MILLION_SCHEMA (guichet_bench_million,
// kept: drop it by hand), BENCH_MILLION_ITERATIONS (40) after BENCH_MILLION_WARMUP (10)
// warm-up GETs per page.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insertAgent } from '../src/db/agentAccounts';
import { loadAgent, findAgentRowByCode, type Agent } from '../src/db/agents';
import type { Db } from '../src/db/connection';
import { milestonesOf } from '../src/db/journal';
import { searchRequests } from '../src/db/requestSearch';
import { hashPassword } from '../src/passwords';
import { startDevServer, freePort } from '../src/temporal/devServer';
import { parseListParams, queryOf } from '../src/web/listParams';
import { homeModel } from '../src/web/routes/lists';
import { JOURNAL_VIEW, listSpecOf } from '../src/web/routes/listSpecs';
import { DEFAULT_MARIADB } from './backoffice';
import { rebuildStatisticsDays, statisticsYear } from './statisticsBench';
import { login, measurePage, type PageResult, type PageSpec } from './backofficePages';
import type { Cleanup } from './cleanup';
import { CpuMeter, databaseServerPid, type Usage } from './cpu';
import { CITY, millionSchema } from './millionSchema';
import { startChild } from './processes';
import { round1 } from './stats';

export interface MillionOptions {
  requests: number;
  schema: string;
  warmup: number;
  iterations: number;
}

interface AgentRun {
  key: string;
  label: string;
  pages: PageResult[];
  cpu: Usage;
  load: string;
}

export interface MillionFigures {
  requests: number;
  seedSeconds: number | null;
  /** the statistics' daily aggregates, built before the pages are measured */
  statisticsDays: { seconds: number; rows: number };
  seededAt: number;
  runs: AgentRun[];
}

type Log = (line: string) => void;

const ALL_SERVICES_AGENT = 'banc-tous-services';
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const parisDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(at);

/** The agent of every service, added once to the kept schema. */
async function allServicesAgent(db: Db): Promise<number> {
  const row = await findAgentRowByCode(db, ALL_SERVICES_AGENT);
  if (row) {
    return row.id;
  }
  const serviceIds = (await db('services').pluck('id')).map(Number);
  return insertAgent(db, { code: ALL_SERVICES_AGENT, name: 'Banc d’essai (tous services)', email: 'banc-tous@mairie.example', passwordHash: await hashPassword(CITY.password), isAdmin: false }, serviceIds);
}

/** The service whose own queue holds the most requests: its agent's lists are the longest of one service. */
async function biggestService(db: Db): Promise<{ slug: string; name: string }> {
  const row: { slug: string; name: string } | undefined = await db('requests as r')
    .join('groups as g', 'g.id', 'r.group_id').join('services as s', 's.id', 'g.service_id')
    .where('g.follows_service', true).groupBy('s.slug', 's.name').orderByRaw('count(*) desc').first('s.slug', 's.name');
  return row!;
}

/** The journal's SQL: its list, and the milestones of the page's rows. */
async function journalSql(db: Db, agent: Agent): Promise<number> {
  const query = {};
  const spec = listSpecOf(JOURNAL_VIEW, agent, query)!;
  const params = await parseListParams(db, query, spec.defaultSort);
  const { rows, total } = await searchRequests(db, { ...params.filter, ...spec.fixed, groupIds: agent.groupIds }, params.page);
  await milestonesOf(db, rows.map((r) => r.id));
  return total;
}

async function homeSql(db: Db, agent: Agent): Promise<number> {
  const home = await homeModel(db, agent);
  return home.counters.length;
}

/** The statistics page for the year before the seeding, over the agent's groups (one service, or all 20). */
function statisticsSpec(seededAt: number): PageSpec {
  const year = statisticsYear(seededAt);
  const sql = async (db: Db, agent: Agent) => Object.keys(await year.figures(db, agent)).length;
  return { key: 'statistics', label: 'Statistiques, un an', view: 'statistiques', path: '/statistiques', variants: [year.query], sql };
}

/** The issue's pages, for this agent: a reference of their own groups to search for, the periods counted back from the seeding. */
async function specsFor(db: Db, agent: Agent, seededAt: number): Promise<PageSpec[]> {
  const DAY = 24 * 3600_000;
  const ref: { reference: string } | undefined = await db('requests').whereIn('group_id', agent.groupIds).whereIn('status', ['EN_COURS']).orderBy('id', 'desc').offset(777).first('reference');
  const period = `depot_du=${parisDay(seededAt - 90 * DAY)}&depot_au=${parisDay(seededAt)}`;
  const list = (key: string, label: string, view: string, variant = ''): PageSpec => ({ key, label, view, path: `/demandes/${view}`, variants: [variant] });
  return [
    { key: 'home', label: 'Accueil (compteurs et listes courtes)', view: 'accueil', path: '/', variants: [''], sql: homeSql },
    list('inProgress', 'En cours', 'en-cours'),
    list('unprocessed', 'Non traitées', 'non-traitees'),
    list('onHold', 'En attente', 'en-attente'),
    list('service', 'Du service', 'du-service'),
    list('group', 'Dossiers du groupe', 'du-groupe'),
    list('servicePage50', 'Du service, page 50', 'du-service', 'page=50'),
    { key: 'journal', label: 'Journal, première page', view: JOURNAL_VIEW, path: '/journal', variants: [''], sql: journalSql },
    { key: 'searchName', label: 'Recherche par nom', view: 'recherche', path: '/recherche', variants: ['nom=martin'] },
    { key: 'searchReference', label: 'Recherche par référence', view: 'recherche', path: '/recherche', variants: [`reference=${ref?.reference ?? 'DEM-2026-000001'}`] },
    { key: 'searchNameStatusPeriod', label: 'Recherche nom + statut + période', view: 'recherche', path: '/recherche', variants: [`nom=lefevre&statut=EN_COURS&${period}`] },
    statisticsSpec(seededAt),
  ];
}

async function measureAgent(env: { db: Db; baseUrl: string; webPid: number }, code: string, seededAt: number, opts: MillionOptions, log: Log): Promise<Omit<AgentRun, 'key' | 'label'>> {
  const row = (await findAgentRowByCode(env.db, code))!;
  const agent = (await loadAgent(env.db, row.id))!;
  const cookie = await login(env.baseUrl, code, CITY.password);
  const dbPid = databaseServerPid();
  const meter = new CpuMeter(() => [
    { label: 'bench', pid: process.pid },
    { label: 'web', pid: env.webPid },
    ...(dbPid === null ? [] : [{ label: 'mariadbd (shared)', pid: dbPid }]),
  ]);
  const loadBefore = loadAverage();
  meter.begin();
  const pages: PageResult[] = [];
  for (const spec of await specsFor(env.db, agent, seededAt)) {
    log(`million: ${code}, ${spec.label}: ${opts.warmup} + ${opts.iterations} GETs, each followed by its SQL…`);
    const page = await measurePage({ baseUrl: env.baseUrl, cookie, db: env.db, agent, warmup: opts.warmup, iterations: opts.iterations }, spec);
    log(pageLine(page));
    pages.push(page);
  }
  return { pages, cpu: meter.end(), load: `${loadBefore} → ${loadAverage()}` };
}

export async function benchMillion(cleanup: Cleanup, opts: MillionOptions, log: Log): Promise<MillionFigures> {
  // Its server: millionSchema puts the bench's own schema in the URL.
  const base = process.env.DATABASE_URL?.trim().replace(/^mysql2:/, 'mysql:') || DEFAULT_MARIADB;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-million-'));
  cleanup.push(`remove ${dataDir}`, () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const schema = await millionSchema(base, opts.schema, opts.requests, dataDir, log);
  cleanup.push('close the database', () => schema.db.destroy());
  if (schema.seedSeconds !== null) {
    log(`million: seeded ${opts.requests} requests in ${round1(schema.seedSeconds)} s`);
  }
  await allServicesAgent(schema.db);
  const statisticsDays = await rebuildStatisticsDays(schema.db, log, 'million');

  const dev = await startDevServer({ dbFile: path.join(dataDir, 'temporal.sqlite'), port: await freePort(), uiPort: null, namespace: 'default', log });
  cleanup.push('stop the Temporal dev server', () => dev.stop());
  const web = await startChild(['web'], {
    LOG_LEVEL: 'warn', ...process.env,
    DATA_DIR: dataDir, DATABASE_URL: schema.url, TEMPORAL_ADDRESS: dev.address, TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'guichet-bench-million', SESSION_SECRET: crypto.randomBytes(32).toString('base64url'), PORT: '0',
  });
  cleanup.push('stop the web server', () => web.stop());
  const env = { db: schema.db, baseUrl: `http://127.0.0.1:${web.port}`, webPid: web.pid };
  const runs: AgentRun[] = [];
  const biggest = await biggestService(schema.db);
  for (const [key, label, code] of [
    ['oneService', `agent d’un service (${biggest.name}, le plus grand)`, `${biggest.slug.slice(0, 40)}-1`],
    ['allServices', 'agent des 20 services', ALL_SERVICES_AGENT],
  ] as const) {
    runs.push({ key, label, ...(await measureAgent(env, code, schema.seededAt, opts, log)) });
  }
  return { requests: opts.requests, seedSeconds: schema.seedSeconds, statisticsDays, seededAt: schema.seededAt, runs };
}

const ms = (n: number) => String(round1(n)).padStart(6);

/** One page's figures, beside its SQL's, and whether the goal is met. */
const pageLine = (p: PageResult) =>
  `  ${p.spec.label.padEnd(40)} page p50 ${ms(p.http.p50)} p95 ${ms(p.http.p95)} ms | SQL p50 ${ms(p.sql.p50)} p95 ${ms(p.sql.p95)} ms | ${String(p.total).padStart(6)} listed | ${goal(p)}`;

/** The issue's goals: a list page p95 ≤ 100 ms and ≤ 3 × its SQL; the statistics page p95 under 1 s. */
const goal = (p: PageResult) => {
  const met = p.spec.key === 'statistics' ? p.http.p95 < 1000 : p.http.p95 <= 100 && p.http.p95 <= 3 * Math.max(p.sql.p95, 1e-9);
  return met ? 'ok' : 'MISSED';
};

export function reportMillion(f: MillionFigures, log: Log): void {
  log('');
  log(`million: ${f.requests} requests in MariaDB (${f.seedSeconds === null ? `schema kept, seeded ${new Date(f.seededAt).toISOString()}` : `seeded in ${round1(f.seedSeconds)} s`}; statistics' daily aggregates built in ${round1(f.statisticsDays.seconds)} s, ${f.statisticsDays.rows} rows), ${os.availableParallelism()} cores`);
  for (const run of f.runs) {
    log(`${run.label}: load average ${run.load}`);
    log(`  CPU: ${run.cpu.text}`);
    for (const p of run.pages) {
      log(pageLine(p));
    }
  }
}

/** The keys this phase adds to the last JSON line: million<Agent><Page>P95Ms, …SqlP95Ms, …P50Ms. */
export function millionJson(f: MillionFigures): Record<string, number> {
  const out: Record<string, number> = { millionRequests: f.requests, millionStatisticsDaysSeconds: round1(f.statisticsDays.seconds) };
  if (f.seedSeconds !== null) {
    out.millionSeedSeconds = round1(f.seedSeconds);
  }
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  for (const run of f.runs) {
    for (const p of run.pages) {
      const k = `million${cap(run.key)}${cap(p.spec.key)}`;
      out[`${k}P50Ms`] = round1(p.http.p50);
      out[`${k}P95Ms`] = round1(p.http.p95);
      out[`${k}SqlP50Ms`] = round1(p.sql.p50);
      out[`${k}SqlP95Ms`] = round1(p.sql.p95);
    }
    out[`million${cap(run.key)}OthersCpuShare`] = round1(run.cpu.othersShare * 100) / 100;
  }
  return out;
}
