import { Context, log } from '@temporalio/activity';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { agentsOfService, type AgentRow } from '../db/agents';
import { recordEmail } from '../db/emails';
import { removeRequestFolder } from '../attachments/files';
import { applyTransition, findPersonal, findRequestById, purgeRequest } from '../db/requests';
import { emailContext } from '../mail/context';
import { deliverEmail, type DeliveryHooks } from '../mail/outbox';
import { renderEmailFor } from '../mail/templates';
import { msUntilHour, sendDigests } from '../accounts/digest';
import { wantsImmediate } from '../db/notificationPrefs';
import type { Transport } from '../mail/transport';
import type { Activities, EmailKind } from './types';

export interface ActivityDeps {
  db: Db;
  transport: Transport;
  config: Config;
  hooks?: DeliveryHooks;
}

/**
 * Runs an e-mail activity while beating every second: a worker killed mid-send is then
 * noticed within the workflow's heartbeat timeout (seconds), not its start-to-close timeout.
 */
async function beating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createActivities({ db, transport, config, hooks }: ActivityDeps): Activities {
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

  return {
    async recordTransition(t) {
      await applyTransition(db, t);
    },

    announceSubmission({ requestId, key }) {
      return beating(async () => {
        const request = await findRequestById(db, requestId);
        if (!request) {
          // submit() removed the rows after a start whose answer was lost: the workflow ends.
          log.warn('filing withdrawn before its announcement', { requestId });
          return 'withdrawn';
        }
        const personal = await findPersonal(db, requestId);
        if (personal?.email) {
          const rendered = await renderEmailFor(db, 'RECEIPT', await emailContext(db, request, config.publicUrl, null));
          const emailId = await recordEmail(db, { key: `${key}:RECEIPT`, requestId, kind: 'RECEIPT', agentId: null, to: personal.email, ...rendered });
          await deliver(emailId);
        }
        // Agents who chose the daily digest, or nothing, get no information e-mail here.
        for (const agent of (await agentsOfService(db, request.service_id)).filter(wantsImmediate)) {
          await mailAgent(requestId, 'NEW_REQUEST', `${key}:NEW_REQUEST:${agent.id}`, agent);
        }
        return 'announced';
      });
    },

    notifyAgents({ requestId, kind, key, onlyIfStatus }) {
      return beating(async () => {
        if (!(await stillIn(requestId, onlyIfStatus))) {
          log.info('reminder skipped: the request moved on', { requestId, kind });
          return;
        }
        const request = await loadRequest(requestId);
        const agents = await agentsOfService(db, request.service_id);
        // Only the information e-mail follows the agent's choice; reminders and deletion notices always go.
        for (const agent of kind === 'NEW_REQUEST' ? agents.filter(wantsImmediate) : agents) {
          await mailAgent(requestId, kind, `${key}:${agent.id}`, agent);
        }
      });
    },

    notifyAgent({ requestId, kind, key, agentId, onlyIfStatus }) {
      return beating(async () => {
        if (!(await stillIn(requestId, onlyIfStatus))) {
          return;
        }
        const agent: AgentRow | undefined = await db('agents').where({ id: agentId }).first();
        if (agent) {
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
      const n = await db('emails').where({ id: emailId }).whereNot('status', 'SENT').update({ status: 'FAILED', error: error.slice(0, 500) });
      if (n === 0) {
        log.warn('e-mail not sent and not recorded as failed (no such row, or already sent)', { emailId, error });
      }
    },

    async purgePersonalData({ requestId, at }) {
      // Files first: a crash between the two leaves rows without files, never files without rows.
      await removeRequestFolder(config, requestId);
      await purgeRequest(db, requestId, at);
    },

    async msUntilDigest() {
      return msUntilHour(Date.now(), config.digestHour);
    },

    async sendDigests({ at }) {
      return sendDigests(db, transport, config, at);
    },
  };
}
