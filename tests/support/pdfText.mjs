// Prints {pages, text: [one string per page]} of the PDF file given as argument. A plain
// Node process: pdf.js (through unpdf) is ESM-only, which jest's CommonJS sandbox cannot import.
import fs from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';

const pdf = await getDocumentProxy(new Uint8Array(fs.readFileSync(process.argv[2])));
const { totalPages, text } = await extractText(pdf, { mergePages: false });
process.stdout.write(JSON.stringify({ pages: totalPages, text }));
