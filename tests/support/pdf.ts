import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The pages and the text of each page of a PDF, read by pdf.js in a child process. */
export async function readPdf(bytes: Buffer): Promise<{ pages: number; text: string[] }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-pdf-')), 'doc.pdf');
  fs.writeFileSync(file, bytes);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'pdfText.mjs'), file]);
    return JSON.parse(stdout);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
