// Prints {pages, size: [width, height] of page 1 in points, items: the text pieces of page 1
// with their position in millimetres from the top left, text: [one string per page]} of
// the PDF file given as argument. A plain Node process: pdf.js (through unpdf) is ESM-only,
// which jest's CommonJS sandbox cannot import.
import fs from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';

const pdf = await getDocumentProxy(new Uint8Array(fs.readFileSync(process.argv[2])));
const first = await pdf.getPage(1);
const [, , width, height] = first.view;
const mm = (pt) => Math.round((pt * 25.4) / 72 * 10) / 10;
const items = (await first.getTextContent()).items
  .filter((i) => 'str' in i && i.str.trim())
  .map((i) => ({ str: i.str, x: mm(i.transform[4]), y: mm(height - i.transform[5]) }));
const { totalPages, text } = await extractText(pdf, { mergePages: false });
process.stdout.write(JSON.stringify({ pages: totalPages, size: [width, height], items, text }));
