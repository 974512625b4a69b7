// Every activity of the worker, registered here by name: those of the request workflow
// (its transitions, its e-mails, its purge), of the daily digest, of bulk actions and
// of webhook deliveries. Each is defined once, here or in the file named beside it.
import { attachmentStore } from '../attachments/store';
import { availableInGroup, markCallbackDue } from '../db/callbacks';
import { purgeRequest } from '../db/requests';
import { applyTransition } from '../db/transitions';
import { unstartedDeliveries } from '../db/webhookDeliveries';
import { enqueueSubmittedDeliveries, enqueueTransitionDeliveries } from '../partners/deliveries';
import { bulkActivities } from './bulk';
import type { ActivityDeps } from './deps';
import { mailActivities } from './mail';
import { mergeActivities } from './merge';
import { splitActivities } from './split';
import type { Activities, BulkActivities, MergeActivities, SplitActivities, WebhookActivities } from './types';
import { webhookActivities } from './webhooks';
import { observeTimerFired } from './timers';

export function createActivities(deps: ActivityDeps): Activities & BulkActivities & WebhookActivities & SplitActivities & MergeActivities {
  const { db, config } = deps;
  const mail = mailActivities(deps);
  const webhooks = webhookActivities(deps);
  const bulk = bulkActivities(deps);
  const purge = async ({ requestId, at }: { requestId: number; at: number }) => {
    await purgeRequest(db, attachmentStore(config), requestId, at);
  };

  return {
    // The request workflow (workflows/request.ts).
    async recordTransition({ timer, ...t }) {
      observeTimerFired(timer);
      // The event, the projection and the transition's webhook deliveries, in one transaction.
      await applyTransition(db, t, (trx) => enqueueTransitionDeliveries(trx, t));
      // Started once committed (also on a retry after a crash here).
      await webhooks.startQuietly(await unstartedDeliveries(db, t.requestId, t.seq));
    },

    async announceSubmission(a) {
      // The submission's event is written with the request, outside any activity: its deliveries are written here.
      await webhooks.startQuietly(await enqueueSubmittedDeliveries(db, a.requestId));
      return mail.announceByEmail(a);
    },

    announceNewRequests: mail.announceNewRequests,
    notifyAgents: mail.notifyAgents,
    notifyAgent: mail.notifyAgent,
    sendEmail: mail.sendEmail,
    markEmailFailed: mail.markEmailFailed,

    async callbackDue({ callbackId, at, timer }) {
      observeTimerFired(timer);
      const callback = await markCallbackDue(db, callbackId, at);
      if (!callback) {
        return { to: 'none' };
      }
      const agentId = Number(callback.agent_id);
      return Boolean(callback.reassign_to_me) && (await availableInGroup(db, agentId, Number(callback.group_id)))
        ? { to: 'agent', agentId }
        : { to: 'group' };
    },

    purgePersonalData: purge,

    async sendThenPurge({ emailId, requestId, at }) {
      // The outbox fences each attempt: a retry after a crash never sends the notice twice.
      await mail.sendEmail({ emailId });
      await purge({ requestId, at });
    },

    // The daily digest (workflows/digest.ts).
    msUntilDigest: mail.msUntilDigest,
    sendDigests: mail.sendDigests,

    // Bulk actions (workflows/bulk.ts).
    bulkPendingItems: bulk.bulkPendingItems,
    applyBulkItem: bulk.applyBulkItem,
    finishBulk: bulk.finishBulk,

    // Splits (workflows/split.ts).
    ...splitActivities(deps),
    // Merges (workflows/merge.ts).
    ...mergeActivities(deps, deps.mergeHooks),

    // Webhook deliveries (workflows/webhook.ts).
    deliverWebhook: webhooks.deliverWebhook,
    markWebhookFailed: webhooks.markWebhookFailed,
  };
}
