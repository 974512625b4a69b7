import crypto from 'node:crypto';
import { STATUSES, type Status } from '../../workflows/definitions';
import { searchable } from '../search/normalize';
import type { Knex } from 'knex';
import { isMysql, type Db } from './connection';
import { serviceGroupOf } from './groups';
import type { AttachmentStore } from '../attachments/store';
import { cappedCount } from './cappedCount';
import { deadlineValues } from './deadlines';
import { deleteNameWords, writeNameWords } from './nameWords';
import { inGroups } from './scope';

export interface Citizen {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

/** How a request reached us. */
export const CHANNELS = ['web', 'counter', 'phone', 'mail'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface RequestRow {
  id: number;
  reference: string;
  tracking_code: string;
  form_type_id: number;
  form_type_slug: string;
  form_type_title: string;
  service_id: number;
  service_slug: string;
  service_name: string;
  status: Status;
  assignee_id: number | null;
  assignee_code: string | null;
  assignee_name: string | null;
  closing_code: string | null;
  hold_until: number | null;
  citizen_has_email: boolean | number;
  version: number;
  created_at: number;
  taken_at: number | null;
  closed_at: number | null;
  updated_at: number;
  purged_at: number | null;
  status_since: number | null;
  channel: Channel;
  citizen_unread: number;
  waiting_for_citizen: boolean | number;
  form_version_id: number | null;
  citizen_id: number | null;
  filed_by: number | null;
  /** 1 haute, 2 moyenne, 3 basse (see PRIORITIES) */
  priority: number;
  /** the group whose queue it waits in (null only for a row written before groups and not yet given one) */
  group_id: number | null;
  group_name: string | null;
}

export interface PersonalRow {
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  answers: string;
}

export interface EventView {
  seq: number;
  type: string;
  at: number;
  agent: { code: string; name: string } | null;
  /** to whom a reassignment gave the request; null for other events, and for reassignments older than the record of it */
  to: { code: string; name: string } | null;
  comment: string | null;
  /** what a change of priority changed (ranks), null for other events */
  priority: { from: number; to: number } | null;
  /** the queues a transfer moved it between (groups' names), null for other events */
  groups: { from: string; to: string } | null;
  /** the wrap-up code of a CALL_LOGGED event, null for other events */
  wrapUpCode: string | null;
  /** the duration of a telephone call the connector reported (APPEL_TELEPHONIQUE), null otherwise */
  callSeconds: number | null;
}

// Unambiguous characters only: a citizen may have to read the code over the phone.
const TRACKING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newTrackingCode(): string {
  const bytes = crypto.randomBytes(10);
  const chars = Array.from(bytes, (b) => TRACKING_ALPHABET[b % TRACKING_ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/**
 * A tracking code as it is stored (ABCDE-23456), from what someone typed or read over the
 * phone: case, spaces and dashes do not matter, since the code is ten characters of one
 * case grouped by five. Anything else is only trimmed and upper-cased: it matches no request.
 */
export function normalTrackingCode(typed: string): string {
  const bare = typed.toUpperCase().replace(/[\s\-\u2010-\u2015_.]/g, '');
  return /^[A-Z0-9]{10}$/.test(bare) ? `${bare.slice(0, 5)}-${bare.slice(5)}` : typed.trim().toUpperCase();
}

export function referenceOf(prefix: string, id: number, at: number): string {
  return `${prefix}-${new Date(at).getUTCFullYear()}-${String(id).padStart(6, '0')}`;
}

/** The group a new request of this form type waits in: the form type's, else its service's own. */
async function queueOfFormType(trx: Knex.Transaction, formTypeId: number, serviceId: number): Promise<number | null> {
  const formType: { group_id: number | null } | undefined = await trx('form_types').where({ id: formTypeId }).first('group_id');
  if (formType?.group_id) {
    return Number(formType.group_id);
  }
  return (await serviceGroupOf(trx, serviceId))?.id ?? null;
}

/** Writes a new request, its personal data and its first event in one transaction. */
export async function insertRequest(
  db: Db,
  props: {
    prefix: string; formTypeId: number; serviceId: number; citizen: Citizen; answers: Record<string, unknown>; channel: Channel; now: number;
    formVersionId?: number | null; citizenId?: number | null; filedBy?: number | null;
    /** its form type's default priority (rank); moyenne when not given */
    priority?: number;
    /** the queue it waits in, when not its form type's (the parts of a split, a merge: their originals') */
    groupId?: number | null;
    /** more rows of the same request, in the same transaction (its attachments); one that changes the request's state refreshes its deadlines */
    alsoWrite?: (trx: Knex.Transaction, requestId: number) => Promise<void>;
  },
): Promise<{ id: number; reference: string; trackingCode: string; groupId: number | null }> {
  return db.transaction(async (trx) => {
    const trackingCode = newTrackingCode();
    const groupId = props.groupId !== undefined ? props.groupId : await queueOfFormType(trx, props.formTypeId, props.serviceId);
    const [id] = await trx('requests').insert({
      reference: `tmp-${trackingCode}`,
      tracking_code: trackingCode,
      form_type_id: props.formTypeId,
      service_id: props.serviceId,
      group_id: groupId,
      status: 'NON_TRAITEE',
      citizen_has_email: Boolean(props.citizen.email),
      version: 1,
      channel: props.channel,
      form_version_id: props.formVersionId ?? null,
      citizen_id: props.citizenId ?? null,
      filed_by: props.filedBy ?? null,
      priority: props.priority ?? 2,
      created_at: props.now,
      status_since: props.now,
      updated_at: props.now,
      // Its workflow leaves the reminders to the sweep (src/reminders/sweeper.ts).
      reminders_swept: true,
    });
    const reference = referenceOf(props.prefix, id, props.now);
    // Its deadlines from the row just written (src/db/deadlines.ts).
    await trx('requests').where({ id }).update({ reference, ...deadlineValues(trx) });
    await trx('request_personal').insert({
      request_id: id,
      first_name: props.citizen.firstName,
      last_name: props.citizen.lastName,
      email: props.citizen.email ?? null,
      phone: props.citizen.phone ?? null,
      address: props.citizen.address ?? null,
      answers: JSON.stringify(props.answers),
      sort_name: searchable(`${props.citizen.lastName} ${props.citizen.firstName}`),
    });
    await writeNameWords(trx, id, groupId, props.citizen.firstName, props.citizen.lastName);
    await trx('events').insert({ request_id: id, seq: 1, type: 'SUBMITTED', agent_id: null, at: props.now, service_id: props.serviceId, form_type_id: props.formTypeId, group_id: groupId });
    await props.alsoWrite?.(trx, id);
    return { id, reference, trackingCode, groupId };
  });
}

/**
 * Undoes insertRequest when its workflow could not be started: nothing half-filed remains.
 * The caller gives the store's removeFiles the request once this has committed.
 */
export async function deleteRequest(db: Db, store: AttachmentStore, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('events').where({ request_id: id }).delete();
    await trx('idempotency_keys').where({ request_id: id }).delete(); // a retry with its key files anew
    await store.delete(trx, { requestIds: [id] });
    await trx('chat_messages').where({ request_id: id }).update({ request_id: null }); // a room named it: the words stay
    await deletePersonal(trx, id);
    await trx('requests').where({ id }).delete();
  });
}

/** The citizen's data of a request, and the words of their name that the search reads (src/db/nameWords.ts). */
export async function deletePersonal(trx: Knex.Transaction, requestId: number): Promise<void> {
  await deleteNameWords(trx, requestId);
  await trx('request_personal').where({ request_id: requestId }).delete();
}

/** A request as the pages show it: its own columns, its form type's, its service's and its assignee's. */
export const REQUEST_COLUMNS = [
  'r.*',
  'f.slug as form_type_slug',
  'f.title as form_type_title',
  's.slug as service_slug',
  's.name as service_name',
  'a.code as assignee_code',
  'a.name as assignee_name',
];

/** Requests joined to what REQUEST_COLUMNS reads, with those columns. */
export function requestQuery(db: Db) {
  return db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .join('services as s', 's.id', 'r.service_id')
    .leftJoin('agents as a', 'a.id', 'r.assignee_id')
    .leftJoin('groups as g', 'g.id', 'r.group_id')
    .select(...REQUEST_COLUMNS, 'g.name as group_name');
}

export async function findRequest(db: Db, reference: string): Promise<RequestRow | undefined> {
  return requestQuery(db).where('r.reference', reference).first();
}

export async function findRequestById(db: Db, id: number): Promise<RequestRow | undefined> {
  return requestQuery(db).where('r.id', id).first();
}

/** The request a citizen's tracking code opens (the code as they typed it, see normalTrackingCode). */
export async function findRequestByTrackingCode(db: Db, code: string): Promise<RequestRow | undefined> {
  return requestQuery(db).where('r.tracking_code', normalTrackingCode(code)).first();
}

export async function findPersonal(db: Db, requestId: number): Promise<PersonalRow | undefined> {
  return db('request_personal').where({ request_id: requestId }).first();
}

/** The citizen's address of a request, until its purge. */
export async function emailOfRequest(db: Db, reference: string): Promise<string | undefined> {
  const row: { email: string | null } | undefined = await db('request_personal as p')
    .join('requests as r', 'r.id', 'p.request_id')
    .where('r.reference', reference)
    .first('p.email');
  return row?.email ?? undefined;
}

/** Each status's requests in these groups, capped (see cappedCount): one short count per status, each read from the (group_id, status, …) index. */
export async function countByStatus(db: Db, groupIds: number[]): Promise<Record<string, number>> {
  const counts = await Promise.all(STATUSES.map((status) => cappedCount(db, inGroups(db('requests'), 'group_id', groupIds).where({ status }))));
  return Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]]));
}

export async function listEvents(db: Db, requestId: number): Promise<EventView[]> {
  const rows: {
    seq: number; type: string; at: number; code: string | null; name: string | null; to_code: string | null; to_name: string | null; body: string | null;
    priority_from: number | null; priority_to: number | null; from_group: string | null; to_group: string | null; wrap_up_code: string | null; call_seconds: number | null;
  }[] = await db('events as e')
    .leftJoin('agents as a', 'a.id', 'e.agent_id')
    .leftJoin('agents as target', 'target.id', 'e.target_agent_id')
    .leftJoin('comments as c', 'c.id', 'e.comment_id')
    .leftJoin('groups as gf', 'gf.id', 'e.source_group_id')
    .leftJoin('groups as gt', 'gt.id', 'e.target_group_id')
    .where('e.request_id', requestId)
    .orderBy('e.seq')
    .select('e.seq', 'e.type', 'e.at', 'a.code', 'a.name', 'target.code as to_code', 'target.name as to_name', 'c.body', 'e.priority_from', 'e.priority_to',
      'gf.name as from_group', 'gt.name as to_group', 'e.wrap_up_code', 'e.call_seconds');
  return rows.map((r) => ({
    seq: r.seq,
    type: r.type,
    at: Number(r.at),
    agent: r.code && r.name ? { code: r.code, name: r.name } : null,
    to: r.to_code && r.to_name ? { code: r.to_code, name: r.to_name } : null,
    comment: r.body ?? null,
    priority: r.priority_from !== null && r.priority_to !== null ? { from: Number(r.priority_from), to: Number(r.priority_to) } : null,
    groups: r.to_group !== null ? { from: r.from_group ?? '', to: r.to_group } : null,
    wrapUpCode: r.wrap_up_code ?? null,
    callSeconds: r.call_seconds === null || r.call_seconds === undefined ? null : Number(r.call_seconds),
  }));
}

/** A comment written before the workflow is asked to refer to it by id. */
export async function insertComment(db: Db, requestId: number, body: string): Promise<number> {
  const [id] = await db('comments').insert({ request_id: requestId, body });
  return id;
}

export async function deleteComment(db: Db, id: number): Promise<void> {
  await db('comments').where({ id }).delete();
}

/**
 * Deletes everything personal of a closed request; what remains is the anonymous stub and
 * its milestones. The attachments' bytes go in the same transaction when the database holds
 * them; files on disk just before it (a crash between: the purge activity is retried).
 */
export async function purgeRequest(db: Db, store: AttachmentStore, requestId: number, at: number): Promise<void> {
  await store.removeFiles({ requestIds: [requestId] });
  await db.transaction(async (trx) => {
    await deletePersonal(trx, requestId);
    // Callbacks hold the number to call; so do the telephone calls recorded on it.
    await trx('callbacks').where({ request_id: requestId }).delete();
    await trx('phone_calls').where({ request_id: requestId }).orWhere({ open_request_id: requestId }).update({ caller: null });
    await trx('events').where({ request_id: requestId }).update({ comment_id: null });
    await trx('consultations').where({ request_id: requestId }).update({ question_comment_id: null, answer_comment_id: null });
    await trx('comments').where({ request_id: requestId }).delete();
    await trx('email_contents').where({ request_id: requestId }).delete();
    // The workflow has sent all it had: a draft still pending was prepared for an action
    // whose answer was lost and that the workflow never got (kept then, in case it had).
    // A reminder still waiting its turn in the outbox (src/reminders/sweeper.ts) goes no more.
    await trx('emails').where({ request_id: requestId, status: 'PENDING' }).whereNotNull('retry_at').update({ status: 'FAILED', retry_at: null, error: 'non envoyé : la demande a été close et ses données supprimées avant son tour' });
    await trx('emails').where({ request_id: requestId, status: 'PENDING' }).update({ status: 'FAILED', error: 'non envoyé : l’action qui l’avait préparé n’a pas abouti' });
    await trx('messages').where({ request_id: requestId }).delete();
    await store.delete(trx, { requestIds: [requestId] });
    await trx('requests').where({ id: requestId }).update({ purged_at: at, citizen_has_email: false, hold_until: null, citizen_unread: 0, waiting_for_citizen: false });
  });
  if (!isMysql(db)) {
    // secure_delete zeroes the deleted rows in the database pages, but the WAL still holds
    // the pages as they were: copy it into the database and empty it.
    await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  }
}

/** Of these ids, those that name a request. */
export async function existingRequestIds(db: Db, ids: number[]): Promise<Set<number>> {
  return new Set((await db('requests').whereIn('id', ids).pluck('id')).map(Number));
}

/** The open requests of a form type (their workflows follow its delays). */
export async function openReferencesOf(db: Db, formTypeId: number): Promise<string[]> {
  return db('requests').where({ form_type_id: formTypeId }).whereNot('status', 'CLOTUREE').pluck('reference');
}

/** The request's workflow is known to run. */
export async function markWorkflowStarted(db: Db, id: number): Promise<void> {
  await db('requests').where({ id }).update({ workflow_started: true });
}

/** Requests filed before `before` whose workflow was never started (at most 1000). */
export async function unstartedIntakes(db: Db, before: number): Promise<{ id: number; reference: string; created_at: number; form_type_id: number; priority: number; group_id: number | null }[]> {
  return db('requests').where({ workflow_started: false }).where('created_at', '<', before).select('id', 'reference', 'created_at', 'form_type_id', 'priority', 'group_id').limit(1000);
}
