import crypto from 'node:crypto';
import type { EmailKind } from '../db/emails';
import type { Config } from '../config';
import type { AgentRow } from '../db/agents';
import type { Db } from '../db/connection';
import { recordEmail } from '../db/emails';
import { MUNICIPALITY } from '../mail/context';
import { sendNow } from '../mail/outbox';
import { renderEmailFor } from '../mail/templates';
import { logger } from '../ops/logger';

/**
 * Records and sends one e-mail to an agent outside any request, through the same outbox
 * as the worker's. Each call opens its own transport: the web process sends few of these.
 * Returns the e-mail's id; a delivery failure leaves it FAILED and is logged, not thrown,
 * so that the page never tells more than it should.
 */
export async function mailAgentDirectly(
  db: Db,
  config: Config,
  agent: Pick<AgentRow, 'id' | 'name' | 'email'>,
  kind: EmailKind,
  context: Record<string, unknown>,
  key = `${kind}:${agent.id}:${crypto.randomUUID()}`,
): Promise<number> {
  const rendered = await renderEmailFor(db, kind, { municipality: MUNICIPALITY, agentName: agent.name, ...context });
  const emailId = await recordEmail(db, { key, requestId: null, kind, agentId: agent.id, to: agent.email, ...rendered });
  const failure = await sendNow(db, config, emailId);
  if (failure !== null) {
    // The reason stays on the e-mail's row: an SMTP refusal may quote the address.
    logger.warn({ emailId, kind }, 'e-mail to an agent not sent');
  }
  return emailId;
}
