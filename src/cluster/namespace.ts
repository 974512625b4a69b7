// Guichet's namespace on the cluster, with its retention: how long Temporal keeps a
// finished workflow's history. Guichet keeps its own record of every request in its
// database, so the history is only for looking at what a workflow did.
import { Connection } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common';
import { frontendAnswers } from './frontend';
import { sleep } from './process';

/**
 * 3 days: enough to look at a finished workflow in the UI or with `temporal workflow show`
 * after a weekend's report, short enough to keep the store small (a closed request's
 * history, its timers and e-mail activities, goes three days after its purge).
 */
export const RETENTION_DAYS = 3;

const ALREADY_EXISTS = 6;

/** Registers the namespace (or sets its retention again when it exists). */
export async function registerNamespace(address: string, namespace: string, retentionDays = RETENTION_DAYS): Promise<'registered' | 'updated'> {
  const connection = await Connection.connect({ address });
  const ttl = msNumberToTs(retentionDays * 86_400_000);
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: ttl });
      return 'registered';
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) {
        throw err;
      }
      await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: ttl } });
      return 'updated';
    }
  } finally {
    await connection.close();
  }
}

/**
 * Waits until every frontend knows the namespace: each node reads namespaces into a cache
 * refreshed every few seconds, and a worker polling an unknown namespace would fail.
 */
export async function waitForNamespace(addresses: string[], namespace: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const address of addresses) {
    while (!(await frontendAnswers(address, (c) => c.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 })))) {
      if (Date.now() > deadline) {
        throw new Error(`namespace ${namespace} still unknown to ${address} after ${timeoutMs / 1000} s`);
      }
      await sleep(1_000);
    }
  }
}
