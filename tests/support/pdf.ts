import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface PdfText {
  pages: number;
  /** page 1, in points */
  size: [number, number];
  /** the text pieces of page 1, at x, y millimetres from its top left corner */
  items: { str: string; x: number; y: number }[];
  /** the text of each page */
  text: string[];
}

/** What pdf.js reads in a PDF, in a child process. */
export async function readPdf(bytes: Buffer): Promise<PdfText> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-pdf-')), 'doc.pdf');
  fs.writeFileSync(file, bytes);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'pdfText.mjs'), file]);
    return JSON.parse(stdout);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
