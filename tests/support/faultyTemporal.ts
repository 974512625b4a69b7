// Temporal clients that fail the way an outage does: one that talks to a port where
// nothing listens, and one whose Updates reach the server but whose answers are lost
// (Temporal became unreachable right after accepting them).
import { InterceptingCall, Metadata, status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { retryInterceptors } from '../../src/temporal/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../../src/temporal/devServer';

/**
 * A client connected to a Temporal dev server of its own, which is then stopped: an
 * outage as a running web process sees it (with its gRPC retries).
 */
export async function clientOfStoppedServer(namespace = 'default'): Promise<Client> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-stopped-temporal-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.sqlite'), port: await freePort(), uiPort: null, namespace });
  const connection = await Connection.connect({ address: server.address, interceptors: retryInterceptors() });
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return new Client({ connection, namespace });
}

const UPDATE = '/temporal.api.workflowservice.v1.WorkflowService/UpdateWorkflowExecution';

/**
 * Every UpdateWorkflowExecution call reaches the server and is carried out there, but its
 * answer is replaced by UNAVAILABLE: the caller cannot tell whether it was accepted.
 * `delivered` counts the calls the server answered.
 */
export async function clientLosingUpdateAnswers(address: string, namespace = 'default'): Promise<{ client: Client; delivered: () => number }> {
  let delivered = 0;
  const loseAnswers: Interceptor = (options, nextCall) => {
    if (options.method_definition.path !== UPDATE) {
      return new InterceptingCall(nextCall(options));
    }
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveMessage(message: unknown, nextMessage: (m: unknown) => void) {
            delivered += 1; // the server answered: the status below turns it into a failure
            nextMessage(message);
          },
          onReceiveStatus(_status, nextStatus) {
            nextStatus({ code: GrpcStatus.UNAVAILABLE, details: 'connexion perdue (simulée) après la remise de l’Update', metadata: new Metadata() });
          },
        });
      },
    });
  };
  const connection = await Connection.connect({ address, interceptors: [loseAnswers] });
  return { client: new Client({ connection, namespace }), delivered: () => delivered };
}
