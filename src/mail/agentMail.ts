// The e-mails to agents about one request (its information, reminders, notices), as the
// e-mail activities and the reminders' sweep send them: rendered, recorded under their
// idempotency key, then delivered through the outbox.
import { agentsOfGroup, findAgentRow, type AgentRow } from '../db/agents';
import type { Db } from '../db/connection';
import { recordEmail, type EmailDraft, type EmailKind } from '../db/emails';
import { wantsImmediate } from '../db/notificationPrefs';
import { isReachable } from '../db/presence';
import { findRequestById, type RequestRow } from '../db/requests';
import type { Config } from '../config';
import { emailContext, forRecipient, requestContext } from './context';
import { unshared, type Memo } from './memo';
import { deliverEmail, type DeliveryHooks } from './outbox';
import { renderEmailFor, renderSource, templateInForce, type RenderedEmail } from './templates';
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

/** One e-mail to one agent: its template and key. */
interface Letter {
  kind: EmailKind;
  key: string;
  agent: AgentRow;
}

const draftOf = (request: RequestRow, { kind, key, agent }: Letter, rendered: RenderedEmail): EmailDraft =>
  ({ key, requestId: request.id, kind, agentId: agent.id, to: agent.email, ...rendered });

export function agentMail({ db, transport, config, hooks }: AgentMailDeps) {
  const deliver = (emailId: number, leaseUntil?: number) => deliverEmail(db, transport, config.mailFrom, emailId, hooks, leaseUntil);

  const loadRequest = async (requestId: number) => {
    const request = await findRequestById(db, requestId);
    if (!request) {
      throw new Error(`demande ${requestId} introuvable`);
    }
    return request;
  };

  /** One template e-mail to one agent, rendered under its own key. */
  const draft = async (request: RequestRow, letter: Letter): Promise<EmailDraft> =>
    draftOf(request, letter, await renderEmailFor(db, letter.kind, await emailContext(db, request, config.publicUrl, letter.agent)));

  /** Renders, records and sends one template e-mail to one agent, under its own key (the request as just read, or its id). */
  const mailAgent = async (requestOrId: number | RequestRow, kind: EmailKind, key: string, agent: AgentRow) => {
    const request = typeof requestOrId === 'number' ? await loadRequest(requestOrId) : requestOrId;
    await deliver(await recordEmail(db, await draft(request, { kind, key, agent })));
  };

  /** Each agent of the request's group (or of `groupId`) who gets this kind of e-mail. */
  const toGroup = async (request: RequestRow, kind: EmailKind, key: string, groupId?: number, memo: Memo = unshared): Promise<Letter[]> => {
    const group = groupId ?? request.group_id;
    const agents = await memo(`group:${group}`, () => agentsOfGroup(db, group));
    // Only the information e-mail follows the agent's choice (and is not sent to absent agents);
    // a callback due goes to those who are there to make it; reminders and deletion notices always go.
    const chosen = kind === 'NEW_REQUEST' ? agents.filter(announcedTo) : kind === 'CALLBACK_DUE' ? agents.filter(isReachable) : agents;
    return chosen.map((agent) => ({ kind, key: `${key}:${agent.id}`, agent }));
  };

  /** The agent, or their reachable colleagues while they are absent. */
  const toOne = async (request: RequestRow, kind: EmailKind, key: string, agentId: number, memo: Memo = unshared): Promise<Letter[]> => {
    const agent = await findAgentRow(db, agentId);
    if (!agent) {
      return [];
    }
    // An absent assignee's reminder goes to the other agents of the request's group, who may take the
    // request over; to the assignee still when nobody else is there.
    const colleagues = isReachable(agent) || !FOR_COLLEAGUES_WHEN_ABSENT.has(kind)
      ? []
      : (await memo(`group:${request.group_id}`, () => agentsOfGroup(db, request.group_id))).filter((c) => c.id !== agent.id && isReachable(c));
    return colleagues.length
      ? colleagues.map((colleague) => ({ kind: 'REMINDER_ABSENT', key: `${key}:ABSENT:${colleague.id}`, agent: colleague }))
      : [{ kind, key, agent }];
  };

  // A reminder re-reads the request first: if it has moved on, it sends nothing (null).
  const stillIn = async (requestId: number, status: string | undefined): Promise<RequestRow | null> => {
    const request = await loadRequest(requestId);
    return status === undefined || request.status === status ? request : null;
  };

  const send = async (request: RequestRow, letters: Letter[]) => {
    for (const letter of letters) {
      await mailAgent(request, letter.kind, letter.key, letter.agent);
    }
  };

  /** To each agent of the request's group (or of `groupId`); false when the request had moved on. */
  const notifyGroup = async (a: { requestId: number; kind: EmailKind; key: string; onlyIfStatus?: string; groupId?: number }): Promise<boolean> => {
    const request = await stillIn(a.requestId, a.onlyIfStatus);
    if (request) {
      await send(request, await toGroup(request, a.kind, a.key, a.groupId));
    }
    return request !== null;
  };

  /** To one agent, or to their reachable colleagues while they are absent; false when the request had moved on. */
  const notifyOne = async (a: { requestId: number; kind: EmailKind; key: string; agentId: number; onlyIfStatus?: string }): Promise<boolean> => {
    const request = await stillIn(a.requestId, a.onlyIfStatus);
    if (request) {
      await send(request, await toOne(request, a.kind, a.key, a.agentId));
    }
    return request !== null;
  };

  /**
   * A reminder's e-mails, rendered and not yet recorded (the sweep records them with its
   * settling): to the group while unprocessed, to the assignee in progress; none when the
   * request has moved on from `status`. `memo` shares the reads of a batch.
   */
  const reminderDrafts = async (r: { requestId: number; status: string; kind: EmailKind; key: string; assigneeId: number | null }, memo: Memo = unshared): Promise<EmailDraft[]> => {
    const request = await stillIn(r.requestId, r.status);
    if (!request) {
      return [];
    }
    const letters = r.status === 'NON_TRAITEE' ? await toGroup(request, r.kind, r.key, undefined, memo)
      : r.assigneeId === null ? [] : await toOne(request, r.kind, r.key, r.assigneeId, memo);
    const context = await requestContext(db, request, config.publicUrl, memo);
    return Promise.all(letters.map(async (letter) => {
      const template = await memo(`template:${letter.kind}`, () => templateInForce(db, letter.kind));
      return draftOf(request, letter, renderSource(template, forRecipient(context, request, letter.agent)));
    }));
  };

  return { deliver, loadRequest, mailAgent, notifyGroup, notifyOne, reminderDrafts };
}
