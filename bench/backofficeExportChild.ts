// Child process of the back-office bench: exports the journal (every closed request an
// agent of all services sees) to a file through exportRequests, the function the
// /exports route pipes into its response, and tells the parent how long it took and the
// peak memory of this process. A process of its own, so its peak is the export's alone.
import fs from 'node:fs';
import { loadConfig } from '../src/config';
import { connect } from '../src/db/connection';
import { findAgentRowByCode, loadAgent } from '../src/db/agents';
import { exportRequests, type ExportFormat } from '../src/exports/requestsExport';
import { t } from '../src/i18n';
import { parseListParams } from '../src/web/listParams';
import { JOURNAL_VIEW, listSpecOf } from '../src/web/routes/listSpecs';

export interface ExportMessage {
  rows: number;
  seconds: number;
  bytes: number;
  /** resident memory once everything is loaded and connected, before the first row */
  baselineRssMb: number;
  /** the process's peak resident memory (getrusage maxrss) */
  peakRssMb: number;
}

const mb = (bytes: number) => bytes / (1024 * 1024);

async function run(format: ExportFormat, agentCode: string, file: string): Promise<ExportMessage> {
  const db = connect(loadConfig());
  try {
    const row = await findAgentRowByCode(db, agentCode);
    const agent = row && (await loadAgent(db, row.id));
    if (!agent) {
      throw new Error(`no agent ${agentCode}`);
    }
    const spec = listSpecOf(JOURNAL_VIEW, agent, {})!;
    const params = await parseListParams(db, {}, spec.defaultSort);
    const baselineRssMb = mb(process.memoryUsage().rss);
    const out = fs.createWriteStream(file);
    const t0 = performance.now();
    const rows = await exportRequests(db, {
      filter: { ...params.filter, ...spec.fixed, groupIds: agent.groupIds },
      sort: params.page.sort,
      dir: params.page.dir,
      format,
      sheetName: t(`ui.exports.sheet.${spec.view}`),
    }, out);
    const seconds = (performance.now() - t0) / 1000;
    // resourceUsage().maxRSS is in kilobytes.
    return { rows, seconds, bytes: fs.statSync(file).size, baselineRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await db.destroy();
  }
}

const [format, agentCode, file] = process.argv.slice(2);
if (format !== 'csv' && format !== 'xlsx') {
  console.error('usage: backofficeExportChild.ts csv|xlsx <agent code> <file>');
  process.exit(2);
}
run(format, agentCode, file).then(
  (message) => {
    process.send?.(message);
    process.disconnect?.();
  },
  (err: unknown) => {
    console.error(`export child: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
