// Small files for the attachment tests, made in memory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FieldDefinition } from '../../src/forms/fields';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c10000000049454e44ae426082', 'hex');
/** An ELF program's first bytes: what a renamed executable starts with. */
export const EXECUTABLE = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(200)]);

/** A file on disk of `size` bytes that starts like a PDF: for the size limit. */
export function bigPdf(size: number): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-big-')), 'gros.pdf');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, PDF);
  fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
  return file;
}

/** The birth certificate form of the browser tests. */
export const BIRTH_FORM: FieldDefinition[] = [
  { key: 'date-naissance', label: 'Date de naissance', type: 'date', required: true, period: 'past' },
  { key: 'lieu', label: 'Commune de naissance', type: 'text', required: true, help: 'Telle qu’inscrite sur l’acte.' },
  { key: 'motif', label: 'Motif', type: 'choice', required: true, options: ['Passeport', 'Mariage', 'Autre'] },
  { key: 'copies', label: 'Documents souhaités', type: 'checkboxes', required: false, options: ['Copie intégrale', 'Extrait avec filiation'] },
  { key: 'justificatif', label: 'Pièce d’identité', type: 'file', required: true },
];
