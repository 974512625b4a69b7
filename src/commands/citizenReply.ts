import { findAgentRow } from '../db/agents';
import { insertMessage } from '../db/messages';
import { findRequestById, normalTrackingCode, type RequestRow } from '../db/requests';
import { checkReplyToken } from '../messages/secureLink';
import { mailAboutRequest } from '../messages/requestMail';
import { resumeUpdate } from '../../workflows/definitions';
import { replyResumes } from '../../workflows/lifecycle';
import { refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import { MAX_MESSAGE, refuseBadUploads } from './writeMessage';
import type { Upload } from '../attachments/files';

/** The request a citizen's link opens: the link must be genuine, unexpired and of this very request. */
export async function requestOfLink(ctx: Ctx, trackingCode: string, token: string): Promise<RequestRow> {
  const check = checkReplyToken(ctx.config.sessionSecret, token);
  if (!check.ok) {
    throw CommandError.of(403, check.reason === 'EXPIRED' ? 'LINK_EXPIRED' : 'LINK_INVALID');
  }
  const request = await findRequestById(ctx.db, check.requestId);
  if (!request || request.tracking_code !== normalTrackingCode(trackingCode)) {
    throw CommandError.of(403, 'LINK_OTHER_REQUEST');
  }
  return request;
}

/**
 * The citizen answers through the link of a message. On a request put on hold waiting for
 * them, the answer brings it back to EN_COURS by itself; the assignee is told by e-mail.
 */
export async function citizenReply(ctx: Ctx, trackingCode: string, token: string, text: string, uploads: Upload[] = []): Promise<{ resumed: boolean }> {
  const request = await requestOfLink(ctx, trackingCode, token);
  await refuseByStatus(ctx, request, 'reply');
  const body = text.trim();
  if (!body) {
    throw CommandError.of(400, 'MESSAGE_EMPTY', {}, 'body');
  }
  if (body.length > MAX_MESSAGE) {
    throw CommandError.of(400, 'MESSAGE_TOO_LONG', {}, 'body');
  }
  await refuseBadUploads(uploads);
  await insertMessage(ctx.db, { requestId: request.id, author: 'CITIZEN', agentId: null, visible: true, final: false, body }, { config: ctx.config, uploads });
  let resumed = false;
  if (replyResumes({ status: request.status, waitingForCitizen: Boolean(request.waiting_for_citizen) })) {
    try {
      await runUpdate(ctx, request, resumeUpdate, { agentId: null });
      resumed = true;
    } catch (err) {
      // Resumed or closed by an agent meanwhile: the answer is kept all the same.
      if (!(err instanceof CommandError) || err.status !== 409) throw err;
    }
  }
  const assignee = request.assignee_id ? await findAgentRow(ctx.db, request.assignee_id) : undefined;
  if (assignee) {
    await mailAboutRequest(ctx, request, 'CITIZEN_REPLY', { address: assignee.email, agentId: assignee.id }, { agentName: assignee.name, resumed });
  }
  return { resumed };
}
