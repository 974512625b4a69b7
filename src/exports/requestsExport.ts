// Exports of a list (a view, a search, the journal) to CSV or XLSX, written as the rows
// arrive from the database (a cursor: src/db/cursor.ts), no faster than the output takes
// them: a million rows never sit in memory. When the output closes before the end (the
// agent abandoned the download), the export stops and the database query with it. No
// personal data: the citizen's name and contact stay in Guichet (the journal's requests
// have none left).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { codeLabels } from '../db/codes';
import type { Db } from '../db/connection';
import { milestonesOf } from '../db/journal';
import { cursor } from '../db/cursor';
import { orderedRequests, type Direction, type ListedRequest, type RequestFilter, type Sort } from '../db/requestSearch';
import { t } from '../i18n';
import { frenchDate, parisWallClock } from '../dates';

export type ExportFormat = 'csv' | 'xlsx';

/** Events of this many requests are read in one query. */
const BATCH = 500;

interface ExportRow {
  reference: string;
  formType: string;
  service: string;
  status: string;
  assignee: string;
  closingCode: string;
  submittedAt: Date | null;
  takenAt: Date | null;
  closedAt: Date | null;
  dueAt: Date | null;
  milestones: string;
}

const COLUMNS: (keyof ExportRow)[] = ['reference', 'formType', 'service', 'status', 'assignee', 'closingCode', 'submittedAt', 'takenAt', 'closedAt', 'dueAt', 'milestones'];
const WIDTHS: Record<keyof ExportRow, number> = {
  reference: 18, formType: 36, service: 18, status: 22, assignee: 20, closingCode: 22,
  submittedAt: 17, takenAt: 17, closedAt: 17, dueAt: 17, milestones: 80,
};

const toDate = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)));

async function milestoneTexts(db: Db, ids: number[], types: Map<string, string>): Promise<Map<number, string>> {
  const byRequest = await milestonesOf(db, ids);
  const text = (list: { type: string; at: number }[]) =>
    list.map((e) => `${types.get(e.type) ?? t(`event.${e.type}`)} ${frenchDate(e.at, 'short')}`).join(', ');
  return new Map([...byRequest].map(([id, list]) => [id, text(list)]));
}

/** The rows of the filter, in order, a batch at a time, with their milestones. */
async function* exportRows(db: Db, filter: RequestFilter, sort: Sort, dir: Direction): AsyncGenerator<ExportRow> {
  const { codes, types } = await codeLabels(db);
  let batch: ListedRequest[] = [];
  const flush = async function* (): AsyncGenerator<ExportRow> {
    const milestones = await milestoneTexts(db, batch.map((r) => r.id), types);
    for (const r of batch) {
      yield {
        reference: r.reference,
        formType: r.form_type_title,
        service: r.service_name,
        status: t(`status.${r.status}`),
        assignee: r.assignee_name ?? '',
        closingCode: r.closing_code ? (codes.get(r.closing_code) ?? r.closing_code) : '',
        submittedAt: toDate(r.created_at),
        takenAt: toDate(r.taken_at),
        closedAt: toDate(r.closed_at),
        dueAt: toDate(r.due_at),
        milestones: milestones.get(r.id) ?? '',
      };
    }
    batch = [];
  };
  for await (const row of cursor<ListedRequest>(db, orderedRequests(db, filter, sort, dir))) {
    batch.push(row);
    if (batch.length >= BATCH) {
      yield* flush();
    }
  }
  if (batch.length) {
    yield* flush();
  }
}

const headerOf = (c: keyof ExportRow) => t(`ui.exports.columns.${c}`);

/**
 * A spreadsheet opening the CSV would run a cell beginning with =, +, -, @ (or a tab or
 * carriage return before one) as a formula: an administrator's closing-code label could
 * then run one on a colleague's computer. Such a cell is written after a single quote
 * (OWASP), shown as text. XLSX needs nothing: its cells are typed strings, never formulas.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** CSV for a French spreadsheet: UTF-8 with a BOM, ';' between fields, dates as 23/11/2026 14:05 (Paris time). */
async function writeCsv(rows: AsyncGenerator<ExportRow>, out: Writable, signal: AbortSignal): Promise<number> {
  const csv = stringify({ delimiter: ';', bom: true, header: true, columns: COLUMNS.map((key) => ({ key, header: headerOf(key) })) });
  csv.pipe(out);
  let n = 0;
  for await (const row of rows) {
    signal.throwIfAborted();
    const line = Object.fromEntries(COLUMNS.map((c) => {
      const v = row[c];
      return [c, v instanceof Date ? frenchDate(v.getTime(), 'short') : typeof v === 'string' ? inertCell(v) : v];
    }));
    if (!csv.write(line)) {
      await once(csv, 'drain', { signal });
    }
    n++;
  }
  csv.end();
  await once(out, 'finish', { signal });
  return n;
}

/** XLSX through exceljs' streaming writer: each row is committed, so it leaves memory at once. */
async function writeXlsx(rows: AsyncGenerator<ExportRow>, out: Writable, sheetName: string, signal: AbortSignal): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.columns = COLUMNS.map((key) => ({
    key, header: headerOf(key), width: WIDTHS[key],
    style: key.endsWith('At') ? { numFmt: 'dd/mm/yyyy hh:mm' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let n = 0;
  for await (const row of rows) {
    signal.throwIfAborted();
    // Excel has no time zones: write the Paris wall-clock time.
    const cells = Object.fromEntries(COLUMNS.map((c) => {
      const v = row[c];
      return [c, v instanceof Date ? parisWallClock(v.getTime()) : v];
    }));
    sheet.addRow(cells).commit();
    n++;
    // exceljs writes on whatever the output's backlog: wait for a slow reader here.
    if (out.writableNeedDrain) {
      await once(out, 'drain', { signal });
    }
  }
  sheet.commit();
  await workbook.commit();
  return n;
}

/**
 * Writes every request of the filter to `out` and resolves with the number of rows. The
 * web route pipes it into the response; the benchmark calls it on a file.
 */
export async function exportRequests(
  db: Db,
  opts: { filter: RequestFilter; sort: Sort; dir: Direction; format: ExportFormat; sheetName: string },
  out: Writable,
): Promise<number> {
  const abandoned = new AbortController();
  const onClose = () => {
    if (!out.writableFinished) abandoned.abort(new ExportAbandoned());
  };
  out.once('close', onClose);
  const rows = exportRows(db, opts.filter, opts.sort, opts.dir);
  try {
    return await (opts.format === 'csv' ? writeCsv(rows, out, abandoned.signal) : writeXlsx(rows, out, opts.sheetName, abandoned.signal));
  } catch (err) {
    throw abandoned.signal.aborted ? abandoned.signal.reason : err;
  } finally {
    out.off('close', onClose);
    // Ends the cursor (and its query) when the writer stopped before the last row.
    await rows.return(undefined);
  }
}

/** The output closed before the last row: the reader left. */
export class ExportAbandoned extends Error {
  constructor() {
    super('export abandoned: its output closed before the end');
  }
}
