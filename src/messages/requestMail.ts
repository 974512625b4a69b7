import crypto from 'node:crypto';
import type { EmailKind } from '../db/emails';
import type { Ctx } from '../commands/context';
import { recordEmail } from '../db/emails';
import type { RequestRow } from '../db/requests';
import { emailContext } from '../mail/context';
import { sendNow } from '../mail/outbox';
import { renderEmailFor } from '../mail/templates';

/**
 * Records and sends, from the web process, one e-mail about a request (a message to the
 * citizen, a citizen's answer to the assignee) through the same outbox as the worker's.
 * A delivery failure leaves it FAILED on the request page, where the agent sees it.
 */
export async function mailAboutRequest(
  ctx: Ctx,
  request: RequestRow,
  kind: EmailKind,
  to: { address: string; agentId: number | null },
  extra: Record<string, unknown>,
): Promise<number> {
  const context = { ...(await emailContext(ctx.db, request, ctx.config.publicUrl, null)), ...extra };
  const rendered = await renderEmailFor(ctx.db, kind, context);
  const emailId = await recordEmail(ctx.db, {
    key: `${kind}:${request.id}:${crypto.randomUUID()}`, requestId: request.id, kind, agentId: to.agentId, to: to.address, ...rendered,
  });
  await sendNow(ctx.db, ctx.config, emailId);
  return emailId;
}
