// One request's whole life through the API (submit, take with the acknowledgement, annotate,
// hold, resume, close with the closing notice, purge), then the Temporal actions its workflow
// cost, read from its history. The bench's `actions` phase prints them; tests/actions.test.ts pins them.
import type { Client } from '@temporalio/client';
import { countActions, activitiesOf, type ActionCount } from '../src/ops/temporalActions';
import { SUBMISSION } from './intake';

export type Api = (method: string, url: string, token: string, body?: unknown) => Promise<{ status: number; body: any }>;

export interface WholeLife {
  reference: string;
  count: ActionCount;
  activities: string[];
}

const STEPS: [string, object][] = [
  ['take', { notifyCitizen: true, subject: 'Bien reçu' }],
  ['annotate', { eventType: 'NOTE', comment: 'appel du demandeur' }],
  ['hold', { reason: 'pièce manquante' }],
  ['resume', {}],
  ['close', { closingCode: 'TRAITEE', notifyCitizen: true }],
];

export async function wholeLife(api: Api, client: Client, partnerKey: string, agentToken: string): Promise<WholeLife> {
  const filed = await api('POST', '/api/requests', partnerKey, SUBMISSION);
  if (filed.status !== 201) {
    throw new Error(`submit: ${filed.status} ${JSON.stringify(filed.body)}`);
  }
  const reference = String(filed.body.reference);
  const handle = client.workflow.getHandle(`request-${reference}`);
  // Each step once the e-mails of the one before are sent: an activity ending during an Update
  // would share its workflow task, and the count would vary from run to run.
  const settled = async () => {
    while ((await handle.describe()).raw.pendingActivities?.length) {
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  for (const [action, body] of STEPS) {
    await settled();
    const res = await api('POST', `/api/requests/${reference}/${action}`, agentToken, body);
    if (res.status !== 200) {
      throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  await handle.result(); // the purge done
  const history = await handle.fetchHistory();
  return { reference, count: countActions(history), activities: activitiesOf(history) };
}

/** An Api over HTTP, for the bench's own web process. */
export function httpApi(baseUrl: string): Api {
  return async (method, url, token, body) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
}
