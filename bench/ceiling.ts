import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { latencies, type Latencies } from './stats';
import type { LoadOptions } from './intake';

export interface CeilingResult extends Latencies {
  started: number;
  perSec: number;
  errors: number;
  firstError: string | null;
}

/**
 * The ceiling: how fast a bare client can start workflows on this server, with the same
 * concurrency as the intake. We start "empty" workflows: a type no worker implements, on a
 * task queue nobody polls. The server does exactly what it does for submit's start (persist
 * the execution and its first events, enqueue the first workflow task) and nothing runs
 * afterwards. A trivial polled workflow would also measure a worker executing it, which is
 * a different figure (full workflow throughput), and would let the worker's CPU blur the
 * server's limit on this 2-core machine.
 */
export async function measureCeiling(client: Client, opts: LoadOptions): Promise<CeilingResult> {
  const taskQueue = `bench-unpolled-${crypto.randomBytes(4).toString('hex')}`;
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + opts.durationS * 1000;

  const loop = async (lane: number): Promise<void> => {
    for (let i = 0; performance.now() < deadline; i += 1) {
      const t0 = performance.now();
      try {
        await client.workflow.start('benchEmptyWorkflow', { taskQueue, workflowId: `${taskQueue}-${lane}-${i}`, args: [] });
        samples.push(performance.now() - t0);
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, lane) => loop(lane)));
  const elapsedS = (performance.now() - started) / 1000;
  return { started: samples.length, perSec: samples.length / elapsedS, errors, firstError, ...latencies(samples) };
}
