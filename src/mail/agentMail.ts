// The e-mails to agents about one request (its information, reminders, notices), as the
// e-mail activities and the reminders' sweep send them: rendered, recorded under their
// idempotency key, then delivered through the outbox.
import { agentsOfGroup, findAgentRow, type AgentRow } from '../db/agents';
import type { Db } from '../db/connection';
import { recordEmail, type EmailKind } from '../db/emails';
import { wantsImmediate } from '../db/notificationPrefs';
import { isReachable } from '../db/presence';
import { findRequestById } from '../db/requests';
import type { Config } from '../config';
import { emailContext } from './context';
import { deliverEmail, type DeliveryHooks } from './outbox';
import { renderEmailFor } from './templates';
import type { Transport } from './transport';

/** The assignee's reminders that their colleagues get instead while they are absent. */
const FOR_COLLEAGUES_WHEN_ABSENT: ReadonlySet<EmailKind> = new Set<EmailKind>(['REMINDER_IN_PROGRESS', 'HOLD_ENDED']);

/** Who gets the information e-mail of a new request at once: not those who chose the digest or nothing, nor absent agents. */
export const announcedTo = (agent: AgentRow): boolean => wantsImmediate(agent) && isReachable(agent);

export interface AgentMailDeps {
  db: Db;
  transport: Transport;
  config: Pick<Config, 'mailFrom' | 'publicUrl'>;
  hooks?: DeliveryHooks;
}

export type AgentMail = ReturnType<typeof agentMail>;

export function agentMail({ db, transport, config, hooks }: AgentMailDeps) {
  const deliver = (emailId: number) => deliverEmail(db, transport, config.mailFrom, emailId, hooks);

  const loadRequest = async (requestId: number) => {
    const request = await findRequestById(db, requestId);
    if (!request) {
      throw new Error(`demande ${requestId} introuvable`);
    }
    return request;
  };

  /** Renders, records and sends one template e-mail to one agent, under its own key. */
  const mailAgent = async (requestId: number, kind: EmailKind, key: string, agent: AgentRow) => {
    const request = await loadRequest(requestId);
    const rendered = await renderEmailFor(db, kind, await emailContext(db, request, config.publicUrl, agent));
    const emailId = await recordEmail(db, { key, requestId, kind, agentId: agent.id, to: agent.email, ...rendered });
    await deliver(emailId);
  };

  // A reminder re-reads the request first: if it has moved on, it sends nothing.
  const stillIn = async (requestId: number, status: string | undefined) =>
    status === undefined || (await loadRequest(requestId)).status === status;

  /** To each agent of the request's group (or of `groupId`); false when the request had moved on. */
  const notifyGroup = async (a: { requestId: number; kind: EmailKind; key: string; onlyIfStatus?: string; groupId?: number }): Promise<boolean> => {
    if (!(await stillIn(a.requestId, a.onlyIfStatus))) {
      return false;
    }
    const request = await loadRequest(a.requestId);
    const agents = await agentsOfGroup(db, a.groupId ?? request.group_id);
    // Only the information e-mail follows the agent's choice (and is not sent to absent agents);
    // a callback due goes to those who are there to make it; reminders and deletion notices always go.
    for (const agent of a.kind === 'NEW_REQUEST' ? agents.filter(announcedTo) : a.kind === 'CALLBACK_DUE' ? agents.filter(isReachable) : agents) {
      await mailAgent(a.requestId, a.kind, `${a.key}:${agent.id}`, agent);
    }
    return true;
  };

  /** To one agent, or to their reachable colleagues while they are absent; false when the request had moved on. */
  const notifyOne = async (a: { requestId: number; kind: EmailKind; key: string; agentId: number; onlyIfStatus?: string }): Promise<boolean> => {
    if (!(await stillIn(a.requestId, a.onlyIfStatus))) {
      return false;
    }
    const agent = await findAgentRow(db, a.agentId);
    if (!agent) {
      return true;
    }
    // An absent assignee's reminder goes to the other agents of the request's group, who may take the
    // request over; to the assignee still when nobody else is there.
    const colleagues = isReachable(agent) || !FOR_COLLEAGUES_WHEN_ABSENT.has(a.kind)
      ? []
      : (await agentsOfGroup(db, (await loadRequest(a.requestId)).group_id)).filter((c) => c.id !== agent.id && isReachable(c));
    for (const colleague of colleagues) {
      await mailAgent(a.requestId, 'REMINDER_ABSENT', `${a.key}:ABSENT:${colleague.id}`, colleague);
    }
    if (!colleagues.length) {
      await mailAgent(a.requestId, a.kind, a.key, agent);
    }
    return true;
  };

  return { deliver, loadRequest, mailAgent, notifyGroup, notifyOne };
}
