import crypto from 'node:crypto';
import type { EmailKind } from '../db/emails';
import type { Agent } from '../db/agents';
import { deleteDraft, recordEmail } from '../db/emails';
import { findPersonal, type RequestRow } from '../db/requests';
import { emailContext } from '../mail/context';
import { htmlOf, renderEmailFor, type RenderedEmail } from '../mail/templates';
import type { Ctx } from './context';
import { CommandError } from './errors';
import { refuseUnfilled } from './fillCannedReply';
import type { TakeProps } from './schemas';

/** The send / don't send choice of a take or a close, with the edited subject and body. */
export type CitizenEmailChoice = TakeProps;

/** The e-mail the agent is offered before a take or a close, to edit or to skip. */
export async function previewCitizenEmail(
  ctx: Ctx,
  request: RequestRow,
  kind: Extract<EmailKind, 'ACKNOWLEDGEMENT' | 'CLOSING'>,
  agent: Agent,
  closingCode?: string,
): Promise<RenderedEmail> {
  const context = await emailContext(ctx.db, { ...request, closing_code: closingCode ?? request.closing_code }, ctx.config.publicUrl, null);
  return renderEmailFor(ctx.db, kind, { ...context, agentName: agent.name });
}

/**
 * Records the citizen e-mail the agent chose (edited or not) before the workflow is
 * asked to act, so that its text never travels through the workflow. Returns its id,
 * or null when no e-mail is to be sent; `discard` removes it if the action is refused.
 */
export async function prepareCitizenEmail(
  ctx: Ctx,
  request: RequestRow,
  kind: Extract<EmailKind, 'ACKNOWLEDGEMENT' | 'CLOSING'>,
  agent: Agent,
  choice: CitizenEmailChoice,
  closingCode?: string,
): Promise<{ emailId: number | null; discard: () => Promise<void> }> {
  if (!choice.notifyCitizen) {
    return { emailId: null, discard: async () => undefined };
  }
  const personal = await findPersonal(ctx.db, request.id);
  if (!personal?.email) {
    throw CommandError.of(400, 'NO_CITIZEN_EMAIL', {}, 'notifyCitizen');
  }
  const template = await previewCitizenEmail(ctx, request, kind, agent, closingCode);
  const subject = choice.subject?.trim() || template.subject;
  const text = choice.body?.trim() ? `${choice.body.trim()}\n` : template.text;
  // As for a message: a placeholder left in the edited e-mail is refused, not sent as typed.
  refuseUnfilled(subject, 'subject');
  refuseUnfilled(text, 'body');
  const emailId = await recordEmail(ctx.db, {
    key: `${request.reference}:${kind}:${crypto.randomUUID()}`,
    requestId: request.id,
    kind,
    agentId: null,
    to: personal.email,
    subject,
    text,
    html: htmlOf(text),
  });
  return { emailId, discard: () => deleteDraft(ctx.db, emailId) };
}
