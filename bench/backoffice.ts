// The back-office phase of `npm run bench`: with 100 000 requests in MariaDB, the render
// time of Non traitées, Du service and a search, beside the SQL those pages run; then the
// export of 100 000 journal rows to CSV and XLSX, with the peak memory of the process.
//
// It always runs on MariaDB/MySQL (the production database at that size): a schema of its
// own on DATABASE_URL's server, or on mysql://root@127.0.0.1:3306 when DATABASE_URL is not
// set, dropped at the end. Knobs: BENCH_BACKOFFICE_REQUESTS (100000), BENCH_EXPORT_ROWS
// (100000), BENCH_PAGE_ITERATIONS (100, after 20 warm-up GETs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgent } from '../src/admin';
import { COMMAND_LINE } from '../src/policies';
import { loadAgent } from '../src/db/agents';
import type { Db } from '../src/db/connection';
import type { ExportFormat } from '../src/exports/requestsExport';
import { seedRequests } from './backofficeSeed';
import { login, measurePage, pageSpecs, type PageResult } from './backofficePages';
import type { ExportMessage } from './backofficeExportChild';
import type { Cleanup } from './cleanup';
import { prepareEnv } from './env';
import { startChild } from './processes';
import { describeLatencies, round1 } from './stats';

export const DEFAULT_MARIADB = 'mysql://root@127.0.0.1:3306';
const AGENT = { code: 'banc-essai', password: 'banc-essai-mot-de-passe' };

export interface BackofficeOptions {
  requests: number;
  exportRows: number;
  warmup: number;
  iterations: number;
}

export interface ExportResult extends ExportMessage {
  format: ExportFormat;
}

export interface BackofficeFigures {
  requests: number;
  seedSeconds: number;
  pages: PageResult[];
  exportSeedSeconds: number;
  exports: ExportResult[];
  /** the load average when the pages were measured and when the exports ended */
  loadDuringPages: string;
  loadAfterExports: string;
}

type Log = (line: string) => void;

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** The statistics the optimizer reads, as a long-running database would have them. */
async function analyze(db: Db): Promise<void> {
  await db.raw('ANALYZE TABLE requests, request_personal, events');
}

/** One export of the agent's journal in a child process of its own (bench/backofficeExportChild.ts), to a file in `dir`, removed after. */
export function runExport(format: ExportFormat, agentCode: string, env: NodeJS.ProcessEnv, dir: string): Promise<ExportResult> {
  const file = path.join(dir, `journal.${format}`);
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'backofficeExportChild.ts'), format, agentCode, file],
    { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return new Promise((resolve, reject) => {
    let message: ExportMessage | null = null;
    child.once('message', (m: ExportMessage) => {
      message = m;
    });
    child.once('exit', (code) => {
      fs.rmSync(file, { force: true });
      if (message) {
        resolve({ format, ...message });
      } else {
        reject(new Error(`${format} export: exited with code ${code} without a result`));
      }
    });
  });
}

async function measurePages(env: Awaited<ReturnType<typeof prepareEnv>>, agentId: number, opts: BackofficeOptions, log: Log): Promise<PageResult[]> {
  const web = await startChild(['web'], env.childEnv);
  try {
    const baseUrl = `http://127.0.0.1:${web.port}`;
    const cookie = await login(baseUrl, AGENT.code, AGENT.password);
    const agent = (await loadAgent(env.db, agentId))!;
    const results: PageResult[] = [];
    for (const spec of pageSpecs()) {
      log(`pages: ${spec.label}, ${opts.warmup} + ${opts.iterations} GETs, each followed by its SQL…`);
      results.push(await measurePage({ baseUrl, cookie, db: env.db, agent, warmup: opts.warmup, iterations: opts.iterations }, spec));
    }
    return results;
  } finally {
    await web.stop();
  }
}

export async function benchBackoffice(cleanup: Cleanup, opts: BackofficeOptions, log: Log): Promise<BackofficeFigures> {
  const base = process.env.DATABASE_URL?.trim() || DEFAULT_MARIADB;
  const env = await prepareEnv(cleanup, log, base);
  log(`back office: database ${env.databaseLabel}`);
  const agentId = await createAgent(env.db, COMMAND_LINE, {
    code: AGENT.code, name: 'Banc d’essai', email: 'banc@mairie.example',
    services: ['etat-civil', 'urbanisme', 'voirie'], admin: false, password: AGENT.password,
  });

  log(`back office: seeding ${opts.requests} requests (30 % unprocessed, 20 % in progress, 10 % on hold, 40 % closed and purged)…`);
  const seedSeconds = await seedRequests(env.db, { count: opts.requests, mix: 'realistic' });
  await analyze(env.db);
  log(`back office: seeded in ${round1(seedSeconds)} s`);
  const loadBefore = loadAverage();
  const pages = await measurePages(env, agentId, opts, log);
  const loadDuringPages = `${loadBefore} → ${loadAverage()}`;

  // The journal holds the closed requests: add closed ones until it has exportRows of them.
  const [{ n }] = await env.db('requests').where({ status: 'CLOTUREE' }).count({ n: '*' });
  const missing = Math.max(0, opts.exportRows - Number(n));
  log(`back office: ${n} closed requests; seeding ${missing} more for the export…`);
  const exportSeedSeconds = await seedRequests(env.db, { count: missing, mix: 'closed', seed: 7 });
  await analyze(env.db);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-export-'));
  cleanup.push(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const exports: ExportResult[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    log(`back office: exporting the journal to ${format.toUpperCase()} in a child process…`);
    exports.push(await runExport(format, AGENT.code, env.childEnv, dir));
  }
  return { requests: opts.requests, seedSeconds, pages, exportSeedSeconds, exports, loadDuringPages, loadAfterExports: loadAverage() };
}

export function reportBackoffice(f: BackofficeFigures, log: Log): void {
  log('');
  log(`back office, ${f.requests} requests in MariaDB (seeded in ${round1(f.seedSeconds)} s); load average ${f.loadDuringPages} (${os.availableParallelism()} cores)`);
  for (const p of f.pages) {
    log(`${p.spec.label}: ${p.total} rows listed`);
    log(`  page  ${describeLatencies(p.http)}`);
    log(`  SQL   ${describeLatencies(p.sql)}`);
    for (const v of p.byVariant) {
      log(`    ?${v.query.padEnd(70)} page p50 ${round1(v.httpP50)} ms, SQL p50 ${round1(v.sqlP50)} ms`);
    }
  }
  for (const e of f.exports) {
    log(describeExport(e));
  }
  log(`load average after the exports: ${f.loadAfterExports}`);
}

export function describeExport(e: ExportResult): string {
  return `export ${e.format.toUpperCase().padEnd(4)} ${e.rows} journal rows in ${round1(e.seconds)} s (${Math.round(e.rows / Math.max(e.seconds, 1e-9))} rows/s), ${round1(e.bytes / 1024 / 1024)} MB; peak RSS ${round1(e.peakRssMb)} MB (${round1(e.baselineRssMb)} MB before the first row)`;
}

/** The keys this phase adds to the last JSON line. */
export function backofficeJson(f: BackofficeFigures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of f.pages) {
    out[`${p.spec.key}P95Ms`] = round1(p.http.p95);
    out[`${p.spec.key}SqlP95Ms`] = round1(p.sql.p95);
  }
  for (const e of f.exports) {
    const k = e.format === 'csv' ? 'exportCsv' : 'exportXlsx';
    out[`${k}Rows`] = e.rows;
    out[`${k}Seconds`] = round1(e.seconds);
    out[`${k}PeakMb`] = round1(e.peakRssMb);
  }
  return out;
}
