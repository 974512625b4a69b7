import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Workflow, type WorkflowStartOptions } from '@temporalio/client';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/**
 * Starts a workflow whose id says what it is for, once: a second start (a retried activity,
 * a sweep after a crash) finds it started and does nothing.
 */
export async function startOnce<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>): Promise<void> {
  try {
    await client.workflow.start(workflow, { ...options, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      throw err;
    }
  }
}
