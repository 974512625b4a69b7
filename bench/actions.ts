import type { Db } from '../src/db/connection';
import { agentsOfGroup } from '../src/db/agents';
import { latencies, type Latencies } from './stats';
import { SUBMISSION } from './intake';

export interface ActionResult extends Latencies {
  ok: number;
  failed: number;
  firstFailure: string | null;
}

async function post(url: string, token: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Files `count` requests through the API, one after the other; returns their references. */
export async function fileRequests(baseUrl: string, partnerKey: string, count: number): Promise<string[]> {
  const references: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const res = await post(`${baseUrl}/api/requests`, partnerKey, SUBMISSION);
    if (res.status !== 201) {
      throw new Error(`filing a request for take/close failed: ${res.status} ${res.text}`);
    }
    references.push((JSON.parse(res.text) as { reference: string }).reference);
  }
  return references;
}

/**
 * One action on each request, sequentially: one agent clicking through a list. Sequential
 * keeps queueing out of the figure, so it is the latency of the action itself (route,
 * Update, workflow task, activity writing the projection, answer).
 */
export async function measureAction(baseUrl: string, token: string, references: string[], action: 'take' | 'close'): Promise<ActionResult> {
  const body = action === 'take' ? { notifyCitizen: false } : { closingCode: 'TRAITEE', notifyCitizen: false };
  const samples: number[] = [];
  let failed = 0;
  let firstFailure: string | null = null;
  for (const reference of references) {
    const t0 = performance.now();
    const res = await post(`${baseUrl}/api/requests/${reference}/${action}`, token, body);
    if (res.status === 200) {
      samples.push(performance.now() - t0);
    } else {
      failed += 1;
      firstFailure ??= `${res.status} ${res.text.slice(0, 200)}`;
    }
  }
  return { ok: samples.length, failed, firstFailure, ...latencies(samples) };
}

export interface Drain {
  /** requests whose arrival work was not done yet when the wait began */
  backlog: number;
  /** seconds until it was done, or null if the wait gave up */
  seconds: number | null;
}

/**
 * Requests filed, and those whose arrival work is done: with the agents' e-mails in batches
 * (NEW_REQUEST_BATCH_SECONDS), it ends with the request marked for the next batch
 * (`announced_in`), after its receipt, by the web at once (src/commands/arrival.ts) or by
 * its workflow's arrival step.
 */
export async function arrivalSteps(db: Db): Promise<{ requests: number; done: number }> {
  const [[{ n: requests }], [{ n: announced }]] = await Promise.all([
    db('requests').count({ n: '*' }),
    db('requests').whereNotNull('announced_in').count({ n: '*' }),
  ]);
  return { requests: Number(requests), done: Number(announced) };
}

async function arrivalProgress(db: Db, perRequest: number): Promise<{ requests: number; done: number }> {
  if (perRequest === 1) {
    return arrivalSteps(db);
  }
  const [[{ n: requests }], [{ n: emails }]] = await Promise.all([
    db('requests').count({ n: '*' }),
    db('emails').whereIn('status', ['SENT', 'FAILED']).count({ n: '*' }),
  ]);
  return { requests: Number(requests), done: Math.floor(Number(emails) / perRequest) };
}

/**
 * Waits until the worker has done what every filed request asks of it on arrival (its arrival
 * step, and the agents' new-request e-mails when they go one by one), so that the next phase does not
 * compete with a backlog. The backlog and the time it took give the worker's sustained rate.
 */
export async function waitForWorker(db: Db, timeoutS: number): Promise<Drain> {
  // The new-request e-mails go to the members of the queue the form type files into.
  const formType = await db('form_types').where({ slug: SUBMISSION.formType }).first('group_id');
  const batched = Number(process.env.NEW_REQUEST_BATCH_SECONDS ?? 30) > 0;
  const perRequest = batched ? 1 : 1 + (await agentsOfGroup(db, formType.group_id)).length;
  const first = await arrivalProgress(db, perRequest);
  const backlog = first.requests - first.done;
  const started = Date.now();
  for (let p = first; p.done < p.requests; p = await arrivalProgress(db, perRequest)) {
    if (Date.now() - started > timeoutS * 1000) {
      return { backlog, seconds: null };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { backlog, seconds: (Date.now() - started) / 1000 };
}
