// Downloading attachments: agents of the request's service, and the citizen with the
// tracking code for the files of the messages they can see (never an internal note's).
// The bytes come from the attachment store piece by piece (from the database, one chunk at a time).
import { pipeline } from 'node:stream/promises';
import express, { type Response } from 'express';
import { attachmentStore } from '../../attachments/store';
import { attachmentsOf, visibleFiles, type AttachmentRow } from '../../db/attachments';
import { loadForReading, type Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { findRequestByTrackingCode } from '../../db/requests';
import { currentAgent } from './session';
import { trackingLimit } from '../trackingLimit';
import { logger } from '../../ops/logger';

async function send(ctx: Ctx, res: Response, file: AttachmentRow | undefined): Promise<void> {
  const bytes = file && (await attachmentStore(ctx.config).open(ctx.db, file));
  if (!file || !bytes) {
    throw CommandError.of(404, 'NOT_FOUND');
  }
  res.set('Cache-Control', 'private, no-store');
  res.attachment(file.file_name).type(file.content_type).set('Content-Length', String(file.size));
  try {
    await pipeline(bytes, res);
  } catch (err) {
    // The client went away, or the bytes did (purged meanwhile): the answer is cut short.
    logger.warn({ err, attachmentId: file.id }, 'attachment download interrupted');
  }
}

export function citizenAttachmentRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/suivi/:code/pieces/:id', trackingLimit(ctx), async (req, res) => {
    const request = await findRequestByTrackingCode(ctx.db, String(req.params.code));
    const file = request ? (await visibleFiles(ctx.db, request.id)).find((f) => f.id === Number(req.params.id)) : undefined;
    await send(ctx, res, file);
  });
  return router;
}

export function agentAttachmentRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/demandes/:reference/pieces/:id', async (req, res) => {
    const request = await loadForReading(ctx, currentAgent(req), String(req.params.reference));
    await send(ctx, res, (await attachmentsOf(ctx.db, request.id)).find((f) => f.id === Number(req.params.id)));
  });
  return router;
}
