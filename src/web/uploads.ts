// Multipart forms (the public forms, the agents' entry for a citizen, messages and the
// citizen's answer): multer writes the files to DATA_DIR/uploads, checked afterwards by
// content. It runs before the CSRF check, which needs the parsed fields, and only on the
// routes that take files. The file inputs come last in each form, so that a refused file
// (too big, one too many) still leaves every typed field parsed, to show the form again.
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_LIMITS, type Upload } from '../attachments/files';
import { CommandError } from '../commands/errors';
import type { Config } from '../config';

declare module 'express-serve-static-core' {
  interface Request {
    /** why multer stopped reading the form, in French; the fields before it are parsed */
    uploadError?: { field: string; message: string };
  }
}

const MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: 'Un fichier dépasse la taille maximale de 10 Mo.',
  LIMIT_FILE_COUNT: `${ATTACHMENT_LIMITS.files} fichiers au plus.`,
  LIMIT_FIELD_VALUE: 'Un champ est trop long.',
  LIMIT_FIELD_COUNT: 'Le formulaire a trop de champs.',
  LIMIT_PART_COUNT: 'Le formulaire a trop de champs.',
  LIMIT_UNEXPECTED_FILE: 'Fichier inattendu.',
};

/** Paths whose POST may carry files. */
const MULTIPART_ROUTES = [/^\/formulaires\/[^/]+$/, /^\/suivi\/[^/]+\/repondre$/, /^\/demandes\/[^/]+\/message$/, /^\/saisie\/[^/]+$/];

export function multipartForms(config: Config) {
  const dir = path.join(config.dataDir, 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  removeStale(dir);
  const parse = multer({
    dest: dir,
    // Browsers send file names as UTF-8: "relevé.pdf" stays "relevé.pdf".
    defParamCharset: 'utf8',
    limits: { files: ATTACHMENT_LIMITS.files, fileSize: ATTACHMENT_LIMITS.fileSize, fields: 200, parts: 210, fieldSize: 64 * 1024 },
  }).any();
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data') || !MULTIPART_ROUTES.some((r) => r.test(req.path))) {
      next();
      return;
    }
    // The upload folder only holds files while their request is answered.
    res.on('close', () => {
      for (const f of (req.files as Express.Multer.File[] | undefined) ?? []) {
        fs.rm(f.path, { force: true }, () => undefined);
      }
    });
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        req.body ??= {};
        // multer has removed the files it took before stopping.
        req.files = [];
        req.uploadError = { field: err.field ?? '', message: MESSAGES[err.code] ?? 'Envoi refusé.' };
        next();
        return;
      }
      next(err);
    });
  };
}

/** Files left by a process that died mid-request: none is younger than an hour's upload. */
function removeStale(dir: string): void {
  const hourAgo = Date.now() - 3600_000;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (fs.statSync(file).mtimeMs < hourAgo) fs.rmSync(file, { force: true });
  }
}

/** The files of one form, named as the citizen named them. Files of empty inputs are skipped. */
export function uploadsOf(req: Request): Upload[] {
  return ((req.files as Express.Multer.File[] | undefined) ?? [])
    .filter((f) => f.originalname || f.size > 0)
    .map((f) => ({ field: f.fieldname, path: f.path, fileName: f.originalname, size: f.size }));
}

/** A message's files; a form cut off by a limit is refused whole, with the reason. */
export function messageUploads(req: Request): Upload[] {
  if (req.uploadError) {
    throw new CommandError(400, 'INVALID_INPUT', req.uploadError.message, 'fichiers');
  }
  return uploadsOf(req);
}
