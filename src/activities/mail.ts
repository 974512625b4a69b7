// The e-mail activities: the receipt and the agents' information at submission, the
// reminders and notices the timers send, the citizen e-mails of a take or a close, and
// the daily digest. Registered by name in ./index.ts.
import { Context, log } from '@temporalio/activity';
import { msUntilHour, recordRequestList, sendDigests } from '../accounts/digest';
import { agentsOfGroup, findAgentRow, type AgentRow } from '../db/agents';
import { isReachable } from '../db/presence';
import { markEmailFailed, recordEmail } from '../db/emails';
import { wantsImmediate } from '../db/notificationPrefs';
import { findRequestById } from '../db/requests';
import { awaitAnnouncement, claimBatch, type AnnouncedRequest } from '../db/announcements';
import { emailContext } from '../mail/context';
import { deliverEmail } from '../mail/outbox';
import { recordReceipt, settledOrAbandoned } from '../mail/receipt';
import { renderEmailFor } from '../mail/templates';
import type { ActivityDeps } from './deps';
import type { EmailKind } from '../db/emails';
import type { Activities } from './types';
import { observeTimerFired } from './timers';

/**
 * Runs an e-mail activity while beating every second: a worker killed mid-send is then
 * noticed within the workflow's heartbeat timeout (seconds), not its start-to-close timeout.
 */
async function beating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  if (context.info.isLocal) {
    return work(); // a local activity has no heartbeat: its workflow task's timeout stands for it
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

type MailActivities = Pick<Activities, 'announceNewRequests' | 'notifyAgents' | 'notifyAgent' | 'sendEmail' | 'markEmailFailed' | 'msUntilDigest' | 'sendDigests'> & {
  /** The e-mails of announceSubmission (which also starts its webhook deliveries). */
  announceByEmail: Activities['announceSubmission'];
};

/** The assignee's reminders that their colleagues get instead while they are absent (groups will come later). */
const FOR_COLLEAGUES_WHEN_ABSENT: ReadonlySet<EmailKind> = new Set<EmailKind>(['REMINDER_IN_PROGRESS', 'HOLD_ENDED']);

/** Who gets the information e-mail of a new request at once: not those who chose the digest or nothing, nor absent agents. */
const announcedTo = (agent: AgentRow): boolean => wantsImmediate(agent) && isReachable(agent);

export function mailActivities({ db, transport, config, hooks }: ActivityDeps): MailActivities {
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

  /** One agent's e-mail listing the new requests of a batch. */
  const mailBatch = async (batch: number, agent: AgentRow, requests: AnnouncedRequest[]) =>
    deliver(await recordRequestList(db, config.publicUrl, 'NEW_REQUESTS', `NEW_REQUESTS:${agent.id}:${batch}`, agent, requests));

  // A reminder re-reads the request first: if it has moved on, it sends nothing.
  const stillIn = async (requestId: number, status: string | undefined) =>
    status === undefined || (await loadRequest(requestId)).status === status;

  return {
    announceByEmail({ requestId, key, announce }) {
      return beating(async () => {
        const request = await findRequestById(db, requestId);
        if (!request) {
          // submit() removed the rows after a start whose answer was lost: the workflow ends.
          log.warn('filing withdrawn before its announcement', { requestId });
          return 'withdrawn';
        }
        if (announce === false) {
          return 'announced'; // a split's part: the split e-mails the citizen, and assigns it
        }
        // Normally already sent by the web process (src/mail/receipt.ts): then nothing goes out.
        const receipt = await recordReceipt(db, config.publicUrl, request);
        if (receipt) {
          await settledOrAbandoned(db, receipt);
          await deliver(receipt);
        }
        if (config.newRequestBatchSeconds > 0) {
          // After the receipt: the agents' information goes with the next batch (announceNewRequests).
          await awaitAnnouncement(db, requestId);
          return 'announced';
        }
        // Agents who chose the daily digest, or nothing, get no information e-mail here; absent ones neither.
        for (const agent of (await agentsOfGroup(db, request.group_id)).filter(announcedTo)) {
          await mailAgent(requestId, 'NEW_REQUEST', `${key}:NEW_REQUEST:${agent.id}`, agent);
        }
        return 'announced';
      });
    },

    announceNewRequests({ batch }) {
      return beating(async () => {
        const byAgent = new Map<number, { agent: AgentRow; requests: AnnouncedRequest[] }>();
        const members = new Map<number | null, AgentRow[]>();
        for (const request of await claimBatch(db, batch)) {
          if (!members.has(request.group_id)) {
            members.set(request.group_id, (await agentsOfGroup(db, request.group_id)).filter(announcedTo));
          }
          for (const agent of members.get(request.group_id)!) {
            const entry = byAgent.get(agent.id) ?? { agent, requests: [] };
            entry.requests.push(request);
            byAgent.set(agent.id, entry);
          }
        }
        for (const { agent, requests } of byAgent.values()) {
          await (requests.length === 1
            // The same key as the e-mail a request got on its own before batches: never both.
            ? mailAgent(requests[0].id, 'NEW_REQUEST', `${requests[0].reference}:NEW_REQUEST:${agent.id}`, agent)
            : mailBatch(batch, agent, requests));
        }
        return (config.newRequestBatchSeconds || 60) * 1000;
      });
    },

    notifyAgents({ requestId, kind, key, onlyIfStatus, groupId, timer }) {
      observeTimerFired(timer);
      return beating(async () => {
        if (!(await stillIn(requestId, onlyIfStatus))) {
          log.info('reminder skipped: the request moved on', { requestId, kind });
          return;
        }
        const request = await loadRequest(requestId);
        const agents = await agentsOfGroup(db, groupId ?? request.group_id);
        // Only the information e-mail follows the agent's choice (and is not sent to absent agents);
        // a callback due goes to those who are there to make it; reminders and deletion notices always go.
        for (const agent of kind === 'NEW_REQUEST' ? agents.filter(announcedTo) : kind === 'CALLBACK_DUE' ? agents.filter(isReachable) : agents) {
          await mailAgent(requestId, kind, `${key}:${agent.id}`, agent);
        }
      });
    },

    notifyAgent({ requestId, kind, key, agentId, onlyIfStatus, timer }) {
      observeTimerFired(timer);
      return beating(async () => {
        if (!(await stillIn(requestId, onlyIfStatus))) {
          return;
        }
        const agent = await findAgentRow(db, agentId);
        if (!agent) {
          return;
        }
        // An absent assignee's reminder goes to the other agents of the request's group, who may take the
        // request over; to the assignee still when nobody else is there.
        const colleagues = isReachable(agent) || !FOR_COLLEAGUES_WHEN_ABSENT.has(kind)
          ? []
          : (await agentsOfGroup(db, (await loadRequest(requestId)).group_id)).filter((a) => a.id !== agent.id && isReachable(a));
        for (const colleague of colleagues) {
          await mailAgent(requestId, 'REMINDER_ABSENT', `${key}:ABSENT:${colleague.id}`, colleague);
        }
        if (!colleagues.length) {
          await mailAgent(requestId, kind, key, agent);
        }
      });
    },

    sendEmail({ emailId }) {
      return beating(async () => {
        await deliver(emailId);
      });
    },

    async markEmailFailed({ emailId, error }) {
      if (!(await markEmailFailed(db, emailId, error))) {
        log.warn('e-mail not sent and not recorded as failed (no such row, or already sent)', { emailId, error });
      }
    },

    async msUntilDigest() {
      return msUntilHour(Date.now(), config.digestHour);
    },

    async sendDigests({ at }) {
      return sendDigests(db, transport, config, at);
    },
  };
}
