import {
  Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, defaultGrpcRetryOptions, makeGrpcRetryInterceptor,
  type ConnectionOptions, type Workflow, type WorkflowStartOptions,
} from '@temporalio/client';

import { workflowStartFailures } from '../ops/metrics';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The client's retries of an unreachable server: 6 attempts over about 2 s, instead of
 * the default 10 over about 20 s. The caller (an agent, a partner) hears « indisponible,
 * réessayez » soon, rather than waiting on a server that is down.
 */
export function retryInterceptors(): Interceptor[] {
  return [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 6 }))];
}

/**
 * A process starting waits up to a minute for Temporal's first answer (the SDK's default is
 * 10 s): a cluster's frontends answer slowly while a node joins or the machine is loaded,
 * and giving up there means a restart of the whole process.
 */
const CONNECT_TIMEOUT_MS = 60_000;

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, interceptors: retryInterceptors(), connectTimeout: CONNECT_TIMEOUT_MS });
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
      workflowStartFailures.inc({ workflow: typeof workflow === 'string' ? workflow : workflow.name });
      throw err;
    }
  }
}

/** Whether Temporal has this workflow (running or ended); false when it cannot be asked either. */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}
