import type { Config } from '../config';
import type { Db } from '../db/connection';
import { recordEmail } from '../db/emails';
import { digestAgents, newRequestsFor } from '../db/notificationPrefs';
import { MUNICIPALITY } from '../mail/context';
import { deliverEmail } from '../mail/outbox';
import { renderEmailFor } from '../mail/templates';
import type { Transport } from '../mail/transport';
import { parisIsoDay } from '../dates';

const DAY = 24 * 3600_000;


/**
 * The daily digest: each active agent who chose it gets one e-mail listing the requests
 * of their services filed in the 24 hours before `now` (references and form types only).
 * Keyed by agent and Paris day, so a second run the same day sends nothing twice.
 * Agents with nothing new get nothing. Returns how many e-mails went out.
 */
export async function sendDigests(db: Db, transport: Transport, config: Config, now: number): Promise<number> {
  const day = parisIsoDay(now);
  let sent = 0;
  for (const agent of await digestAgents(db)) {
    const requests = await newRequestsFor(db, agent.id, now - DAY, now);
    if (requests.length === 0) {
      continue;
    }
    const emailId = await recordRequestList(db, config.publicUrl, 'DIGEST', `DIGEST:${agent.id}:${day}`, agent, requests);
    await deliverEmail(db, transport, config.mailFrom, emailId);
    sent += 1;
  }
  return sent;
}

/**
 * Records one agent's e-mail listing requests (references and form types only, no personal
 * data: it outlives their purge): the daily digest, a batch of new requests. Its id.
 */
export async function recordRequestList(
  db: Db, publicUrl: string, kind: 'DIGEST' | 'NEW_REQUESTS', key: string,
  agent: { id: number; name: string; email: string }, requests: { reference: string; form_title: string }[],
): Promise<number> {
  const rendered = await renderEmailFor(db, kind, {
    municipality: MUNICIPALITY,
    agentName: agent.name,
    count: requests.length,
    requests: requests.map((r) => ({ reference: r.reference, formTitle: r.form_title })),
    listUrl: `${publicUrl}/demandes/non-traitees`,
  });
  return recordEmail(db, { key, requestId: null, kind, agentId: agent.id, to: agent.email, ...rendered });
}

const parisHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });

/** Milliseconds from `now` to the next `hour`:00 in Paris (a whole day when it is that minute). */
export function msUntilHour(now: number, hour: number): number {
  const parts = Object.fromEntries(parisHour.formatToParts(now).map((p) => [p.type, Number(p.value)]));
  const sinceMidnight = ((parts.hour * 60 + parts.minute) * 60 + parts.second) * 1000 + (now % 1000);
  const target = hour * 3600_000;
  const wait = (target - sinceMidnight + DAY) % DAY;
  return wait === 0 ? DAY : wait;
}
