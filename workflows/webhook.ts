// One workflow per webhook delivery (`webhook-<task queue>-<delivery id>`): POSTs it until
// the partner answers 2xx, backing off exponentially, and marks it FAILED after giveUp.
// Temporal's retry policy is the whole retry loop: a crashed worker resumes where it was.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../src/activities/types';

export interface WebhookInput {
  deliveryId: number;
  /** From the configuration when the delivery was started (a workflow reads no environment). */
  retry: { initialMs: number; maximumMs: number; giveUpMs: number; timeoutMs: number };
}

export async function webhookWorkflow(input: WebhookInput): Promise<void> {
  const { retry } = input;
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    // The POST's own timeout is enforced by the activity; this is a margin above it.
    startToCloseTimeout: retry.timeoutMs + 30_000,
    scheduleToCloseTimeout: retry.giveUpMs,
    retry: { initialInterval: retry.initialMs, maximumInterval: retry.maximumMs, backoffCoefficient: 2 },
  });
  const { markWebhookFailed } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  try {
    await deliverWebhook({ deliveryId: input.deliveryId, timeoutMs: retry.timeoutMs });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) {
      throw err;
    }
    await markWebhookFailed({ deliveryId: input.deliveryId, error: String(err.cause?.message ?? err.message) });
  }
}
