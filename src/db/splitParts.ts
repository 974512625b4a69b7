// The parts of a split: two new requests of the same citizen, form type and group as the
// original, each holding a copy of its thread (messages and files) and the agent's message
// saying what it is about; and the visible message on the original. Written whole in one
// transaction, once (a retried activity finds them), and withdrawn whole if the original's
// workflow refuses to close it.
import type { Knex } from 'knex';
import { attachmentStore } from '../attachments/store';
import type { Config } from '../config';
import { t } from '../i18n';
import type { Db } from './connection';
import { copyThread } from './copyThread';
import { deleteRequest, insertRequest, type PersonalRow } from './requests';
import { partIdsOf, type SplitRow } from './splits';

export interface SplitPart {
  id: number;
  reference: string;
}

type Original = { id: number; reference: string; status: string; form_type_id: number; service_id: number; group_id: number | null; channel: string;
  form_version_id: number | null; citizen_id: number | null; priority: number; purged_at: number | null };

async function insertPart(trx: Knex.Transaction, config: Config, split: SplitRow, original: Original, personal: PersonalRow, body: string, now: number, written: string[]): Promise<SplitPart> {
  const part = await insertRequest(trx, {
    prefix: config.referencePrefix, formTypeId: original.form_type_id, serviceId: original.service_id, now,
    citizen: { firstName: personal.first_name, lastName: personal.last_name, email: personal.email, phone: personal.phone, address: personal.address },
    answers: JSON.parse(personal.answers) as Record<string, unknown>,
    channel: original.channel as Parameters<typeof insertRequest>[1]['channel'],
    formVersionId: original.form_version_id, citizenId: original.citizen_id, filedBy: Number(split.agent_id), priority: Number(original.priority),
    // In the original's queue (it may have been moved from its form type's).
    groupId: original.group_id,
  });
  // Started by the split's workflow, not the intake sweep.
  await trx('requests').where({ id: part.id }).update({ workflow_started: true });
  written.push(...(await copyThread(trx, config, part.id, [{ requestId: original.id, reference: original.reference }])));
  await trx('messages').insert({ request_id: part.id, author: 'AGENT', agent_id: split.agent_id, visible: true, final: false, body, created_at: now });
  return { id: part.id, reference: part.reference };
}

/**
 * Makes the two parts and posts the original's message, once; null when the original can
 * no longer be split (closed, or purged, meanwhile) or the split was refused: nothing is
 * written then.
 */
export async function writeParts(db: Db, config: Config, splitId: number): Promise<SplitPart[] | null> {
  const written: string[] = [];
  return db.transaction(async (trx) => {
    const split: SplitRow = await trx('splits').where({ id: splitId }).first();
    if (split.status === 'REFUSED') {
      return null; // withdrawn already (a retry after the refusal): nothing is written again
    }
    const done = partIdsOf(split);
    if (done) {
      return (await trx('requests').whereIn('id', done).select('id', 'reference')).sort((a: SplitPart, b: SplitPart) => done.indexOf(a.id) - done.indexOf(b.id));
    }
    const original: Original | undefined = await trx('requests').where({ id: split.original_request_id }).first();
    const personal: PersonalRow | undefined = await trx('request_personal').where({ request_id: split.original_request_id }).first();
    if (!original || original.status === 'CLOTUREE' || original.purged_at !== null || !personal) {
      return null;
    }
    const now = Date.now();
    const first = await insertPart(trx, config, split, original, personal, split.first_message ?? '', now, written);
    const second = await insertPart(trx, config, split, original, personal, split.second_message ?? '', now, written);
    const body = split.original_message ?? t('split.originalMessage', { first: first.reference, second: second.reference });
    const [messageId] = await trx('messages').insert({ request_id: original.id, author: 'AGENT', agent_id: split.agent_id, visible: true, final: false, body, created_at: now });
    // Posted: the texts leave the split's row (they are the requests' messages now, purged with them), but
    // the original's, which the citizen's e-mail quotes after the original's purge (cleared then: clearOriginalMessage).
    await trx('splits').where({ id: splitId }).update({
      first_request_id: first.id, second_request_id: second.id, original_message_id: messageId, original_message: body, first_message: null, second_message: null,
    });
    return [first, second];
  }).catch(async (err) => {
    await attachmentStore(config).discard(written);
    throw err;
  });
}

/**
 * The original's workflow refused to close it (another agent closed it first): the parts
 * and the original's message are withdrawn, the split is REFUSED with the reason, and the
 * request may be split again. Once (a retried activity finds nothing left to remove).
 */
export async function withdrawParts(db: Db, config: Config, splitId: number, refusal: string): Promise<void> {
  const split: SplitRow | undefined = await db('splits').where({ id: splitId }).first();
  if (!split || split.status !== 'PENDING') {
    return;
  }
  const parts = partIdsOf(split) ?? [];
  const store = attachmentStore(config);
  await db.transaction(async (trx) => {
    await trx('splits').where({ id: splitId }).update({
      status: 'REFUSED', refusal, active_original_id: null, first_request_id: null, second_request_id: null, original_message_id: null,
      original_message: null, first_message: null, second_message: null, finished_at: Date.now(),
    });
    if (split.original_message_id !== null) {
      await trx('messages').where({ id: split.original_message_id }).delete();
    }
    await trx('messages').whereIn('request_id', parts).delete();
    for (const id of parts) {
      await deleteRequest(trx, store, id);
    }
  });
  await store.removeFiles({ requestIds: parts });
}
