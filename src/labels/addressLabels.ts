// Address labels for the citizens of some requests: an A4 sheet of 3 × 8 labels of
// 70 × 37 mm (the common adhesive sheets), written to a stream by pdfkit.
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';

const MM = 72 / 25.4;
const COLUMNS = 3;
const ROWS = 8;
const LABEL_W = 70 * MM;
const LABEL_H = 37 * MM;
const PADDING = 5 * MM;
/** The sheet is 297 mm high and the labels take 296: half a millimetre above and below. */
const TOP = 0.5 * MM;

export interface Label {
  name: string;
  address: string;
}

export interface Skipped {
  reference: string;
  reason: string;
}

/** Writes the labels, then, when some requests had none, a last page that lists them and why. */
export function writeLabels(labels: Label[], skipped: Skipped[], out: Writable, texts: { title: string; skippedHeading: string }): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: texts.title } });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  doc.pipe(out);
  labels.forEach((label, i) => {
    const slot = i % (COLUMNS * ROWS);
    if (slot === 0) {
      doc.addPage();
    }
    const x = (slot % COLUMNS) * LABEL_W + PADDING;
    const y = TOP + Math.floor(slot / COLUMNS) * LABEL_H + PADDING;
    const width = LABEL_W - 2 * PADDING;
    const height = LABEL_H - 2 * PADDING;
    doc.font('Helvetica-Bold').fontSize(11).text(label.name, x, y, { width, height, lineBreak: false, ellipsis: true });
    doc.font('Helvetica').fontSize(10).text(label.address, x, y + 15, { width, height: height - 15, ellipsis: true });
  });
  if (skipped.length) {
    doc.addPage({ margin: 20 * MM });
    doc.font('Helvetica-Bold').fontSize(13).text(texts.skippedHeading);
    doc.moveDown();
    doc.font('Helvetica').fontSize(10);
    for (const s of skipped) {
      doc.text(`${s.reference} : ${s.reason}`);
    }
  }
  if (!labels.length && !skipped.length) {
    doc.addPage();
  }
  doc.end();
  return finished;
}
