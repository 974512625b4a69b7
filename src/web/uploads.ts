// Multipart forms (the public forms, the agents' entry for a citizen, messages and the
// citizen's answer): multer writes the files to DATA_DIR/uploads, checked afterwards by
// content. It runs before the CSRF check, which needs the parsed fields, and only on the
// routes that take files. The file inputs come last in each form, so that a refused file
// (too big, one too many) still leaves every typed field parsed, to show the form again.
// On the agents' routes the session is checked first: without a logged-in agent the body
// is not read at all. A body multer cannot read is the client's fault: 400, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_LIMITS, type Upload } from '../attachments/files';
import type { Ctx } from '../commands/context';
import { CommandError } from '../commands/errors';
import { loadAgent } from '../db/agents';
import { t } from '../i18n';
import { malformedMultipart } from './bodyErrors';
import { requireAgent } from './routes/session';
import { logger } from '../ops/logger';

declare module 'express-serve-static-core' {
  interface Request {
    /** why multer stopped reading the form, in French; the fields before it are parsed */
    uploadError?: { field: string; message: string };
  }
}

const MESSAGES: Record<string, string> = {
  LIMIT_FILE_SIZE: t('ui.uploads.fileSize'),
  LIMIT_FILE_COUNT: t('ui.attachments.tooMany', { files: ATTACHMENT_LIMITS.files }),
  LIMIT_FIELD_VALUE: t('ui.uploads.fieldValue'),
  LIMIT_FIELD_COUNT: t('ui.uploads.fieldCount'),
  LIMIT_PART_COUNT: t('ui.uploads.fieldCount'),
  LIMIT_UNEXPECTED_FILE: t('ui.uploads.unexpectedFile'),
};

/** Paths whose POST may carry files: the citizens' (no login), then the agents'. */
const PUBLIC_ROUTES = [/^\/formulaires\/[^/]+$/, /^\/suivi\/[^/]+\/repondre$/];
const AGENT_ROUTES = [/^\/demandes\/[^/]+\/message$/, /^\/saisie\/[^/]+$/];

/** An error of the disk (full, no rights), not of the body: a server error. */
const isSystemError = (err: unknown): boolean => typeof (err as { syscall?: unknown })?.syscall === 'string';

/** Removes the files of a form once it is answered; a listener must not throw, whatever multer left. */
function removeFiles(req: Request): void {
  try {
    const files: unknown = req.files;
    for (const f of Array.isArray(files) ? files : []) {
      const file = (f as { path?: unknown } | undefined)?.path;
      if (typeof file === 'string') fs.rm(file, { force: true }, () => undefined);
    }
  } catch (err) {
    logger.warn({ err }, 'upload cleanup failed');
  }
}

/** A logged-in, active agent in the session (loaded again by the agent router). */
async function hasAgent(ctx: Ctx, req: Request): Promise<boolean> {
  const id = req.session?.agentId;
  return id !== undefined && (await loadAgent(ctx.db, id)) !== undefined;
}

export function multipartForms(ctx: Ctx) {
  const dir = path.join(ctx.config.dataDir, 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  removeStale(dir);
  const parse = multer({
    dest: dir,
    // Browsers send file names as UTF-8: "relevé.pdf" stays "relevé.pdf".
    defParamCharset: 'utf8',
    limits: { files: ATTACHMENT_LIMITS.files, fileSize: ATTACHMENT_LIMITS.fileSize, fields: 200, parts: 210, fieldSize: 64 * 1024 },
  }).any();
  const read = (req: Request, res: Response, next: NextFunction) => {
    // The upload folder only holds files while their request is answered.
    res.on('close', () => removeFiles(req));
    parse(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        req.body ??= {};
        // multer has removed the files it took before stopping.
        req.files = [];
        req.uploadError = { field: err.field ?? '', message: MESSAGES[err.code] ?? t('ui.uploads.refused') };
        next();
        return;
      }
      if (err && !isSystemError(err)) {
        req.files = [];
        next(malformedMultipart(err));
        return;
      }
      next(err);
    });
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) {
      next();
      return;
    }
    if (PUBLIC_ROUTES.some((r) => r.test(req.path))) {
      read(req, res, next);
      return;
    }
    if (!AGENT_ROUTES.some((r) => r.test(req.path))) {
      next();
      return;
    }
    try {
      if (await hasAgent(ctx, req)) {
        read(req, res, next);
        return;
      }
    } catch (err) {
      next(err);
      return;
    }
    // Answered as any agent route without a session (to the login page), the body unread:
    // the connection is closed rather than drained.
    res.set('Connection', 'close');
    requireAgent(req, res, next);
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
