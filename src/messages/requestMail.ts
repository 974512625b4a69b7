import crypto from 'node:crypto';
import type { EmailKind } from '../activities/types';
import type { Ctx } from '../commands/context';
import { recordEmail } from '../db/emails';
import type { RequestRow } from '../db/requests';
import { emailContext } from '../mail/context';
import { deliverEmail } from '../mail/outbox';
import { renderEmailFor } from '../mail/templates';
import { createTransport } from '../mail/transport';

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
  const transport = createTransport(ctx.config.smtpUrl);
  try {
    await deliverEmail(ctx.db, transport, ctx.config.mailFrom, emailId);
  } catch (err) {
    await ctx.db('emails').where({ id: emailId }).whereNot('status', 'SENT').update({ status: 'FAILED', error: String((err as Error).message).slice(0, 500) });
  } finally {
    transport.close();
  }
  return emailId;
}
