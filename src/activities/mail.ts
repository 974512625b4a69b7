// The e-mail activities: the receipt and the agents' information at submission, the
// reminders and notices the timers send, the citizen e-mails of a take or a close, and
// the daily digest. Registered by name in ./index.ts.
import { Context, log } from '@temporalio/activity';
import { msUntilHour, recordRequestList, sendDigests } from '../accounts/digest';
import { agentsOfGroup, type AgentRow } from '../db/agents';
import { markEmailFailed } from '../db/emails';
import { findRequestById } from '../db/requests';
import { awaitAnnouncement, claimBatch, type AnnouncedRequest } from '../db/announcements';
import { agentMail, announcedTo } from '../mail/agentMail';
import { recordReceipt, settledOrAbandoned } from '../mail/receipt';
import type { ActivityDeps } from './deps';
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

export function mailActivities({ db, transport, config, hooks }: ActivityDeps): MailActivities {
  const { deliver, mailAgent, notifyGroup, notifyOne } = agentMail({ db, transport, config, hooks });

  /** One agent's e-mail listing the new requests of a batch. */
  const mailBatch = async (batch: number, agent: AgentRow, requests: AnnouncedRequest[]) =>
    deliver(await recordRequestList(db, config.publicUrl, 'NEW_REQUESTS', `NEW_REQUESTS:${agent.id}:${batch}`, agent, requests));

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

    notifyAgents({ timer, ...a }) {
      observeTimerFired(timer);
      return beating(async () => {
        if (!(await notifyGroup(a))) {
          log.info('reminder skipped: the request moved on', { requestId: a.requestId, kind: a.kind });
        }
      });
    },

    notifyAgent({ timer, ...a }) {
      observeTimerFired(timer);
      return beating(async () => {
        await notifyOne(a);
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
