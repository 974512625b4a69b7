import { firstUploadProblem, type Upload } from '../attachments/files';
import type { Agent } from '../db/agents';
import { deleteMessage, insertMessage } from '../db/messages';
import { findPersonal } from '../db/requests';
import { replyToken } from '../messages/secureLink';
import { mailAboutRequest } from '../messages/requestMail';
import { close } from './close';
import { refuseUnfilled } from './fillCannedReply';
import { loadForAgent, refuseByStatus, type Ctx } from './context';
import { CommandError } from './errors';
import type { MessageFields } from './schemas';

/**
 * The form's fields (body; visible false for an internal note, that only agents see; the
 * finalCode of a visible message that answers the request for good and closes it), and
 * up to 5 files, checked here by content.
 */
export type MessageProps = MessageFields & { uploads?: Upload[] };

export const MAX_MESSAGE = 10_000;

/** Files of a message: refused whole when one is not acceptable, with the reason. */
export async function refuseBadUploads(uploads: Upload[]): Promise<void> {
  const problem = await firstUploadProblem(uploads);
  if (problem) {
    throw new CommandError(400, 'INVALID_INPUT', problem, 'fichiers');
  }
}

/**
 * An agent writes on a request: an internal note, or a message to the citizen (e-mailed
 * with a signed link to answer when they gave an address, shown on their tracking page
 * in any case). A final answer also closes the request; if the close is refused the
 * message is withdrawn, so a final answer never stays without its close.
 */
export async function writeMessage(ctx: Ctx, agent: Agent, reference: string, props: MessageProps) {
  const request = await loadForAgent(ctx, agent, reference);
  const body = props.body.trim();
  if (!body) {
    throw CommandError.of(400, 'MESSAGE_EMPTY', {}, 'body');
  }
  if (body.length > MAX_MESSAGE) {
    throw CommandError.of(400, 'MESSAGE_TOO_LONG', {}, 'body');
  }
  if (props.visible) {
    // A canned reply's placeholder left unfilled: the citizen would read « {{nomUsager}} ».
    refuseUnfilled(body);
  }
  await refuseByStatus(ctx, request, 'message');
  await refuseBadUploads(props.uploads ?? []);
  const final = props.visible && props.finalCode !== null;
  const messageId = await insertMessage(ctx.db, { requestId: request.id, author: 'AGENT', agentId: agent.id, visible: props.visible, final, body }, { config: ctx.config, uploads: props.uploads ?? [] });
  const personal = props.visible ? await findPersonal(ctx.db, request.id) : undefined;
  if (final) {
    try {
      // Sent before the close: the purge that follows the close deletes the e-mail's content.
      if (personal?.email) await mailMessage(ctx, request, personal.email, body);
      await close(ctx, agent, reference, { closingCode: props.finalCode!, notifyCitizen: false });
    } catch (err) {
      await deleteMessage(ctx.db, ctx.config, messageId);
      throw err;
    }
    return { closed: true };
  }
  if (personal?.email) {
    await mailMessage(ctx, request, personal.email, body);
  }
  return { closed: false };
}

async function mailMessage(ctx: Ctx, request: Awaited<ReturnType<typeof loadForAgent>>, to: string, message: string) {
  const token = replyToken(ctx.config.sessionSecret, request.id);
  await mailAboutRequest(ctx, request, 'MESSAGE', { address: to, agentId: null }, {
    message,
    replyUrl: `${ctx.config.publicUrl}/suivi/${request.tracking_code}/repondre?jeton=${token}`,
  });
}
