// Telephone calls reported by a telephony connector (`phone_calls`): what the answering
// agent's page shows, and the request each one is recorded on. `caller` (E.164) is
// personal data: emptied when the agent closes the panel, by the purge of a request it was
// recorded on, and a day after the call at the latest (forgetOldCallers).
import type { Agent } from './agents';
import { visibleTo } from './citizens';
import type { Db } from './connection';
import { isUniqueViolation } from './idempotency';
import { inGroups } from './scope';
import { digitSpellingsOf, spellingsOf } from '../calls/spellings';

export type CallStatus = 'RINGING' | 'ANSWERED' | 'ENDED';

export interface PhoneCallRow {
  id: number;
  token_id: number;
  call_id: string;
  agent_id: number;
  caller: string | null;
  status: CallStatus;
  ringing_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  open_request_id: number | null;
  request_id: number | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

const numeric = ['id', 'token_id', 'agent_id', 'ringing_at', 'answered_at', 'ended_at', 'open_request_id', 'request_id', 'closed_at', 'created_at', 'updated_at'] as const;

/** MySQL returns BIGINTs as strings: numbers, as the rest of the code reads them. */
function typed(row: Record<string, unknown> | undefined): PhoneCallRow | undefined {
  if (!row) return undefined;
  const out = { ...row } as Record<string, unknown>;
  for (const key of numeric) {
    out[key] = row[key] === null || row[key] === undefined ? null : Number(row[key]);
  }
  return out as unknown as PhoneCallRow;
}

/** The call a connector's key names by its own id. */
export async function findConnectorCall(db: Db, tokenId: number, callId: string): Promise<PhoneCallRow | undefined> {
  return typed(await db('phone_calls').where({ token_id: tokenId, call_id: callId }).first());
}

export async function findCall(db: Db, id: number): Promise<PhoneCallRow | undefined> {
  return typed(await db('phone_calls').where({ id }).first());
}

/**
 * The call as the connector first reports it; when two reports of one call arrive at once,
 * the second finds the first's row (the unique index on the key and its call id).
 */
export async function insertCall(db: Db, row: Omit<PhoneCallRow, 'id' | 'open_request_id' | 'request_id' | 'closed_at'>): Promise<PhoneCallRow> {
  try {
    await db('phone_calls').insert(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return (await findConnectorCall(db, row.token_id, row.call_id))!;
}

/** Moves a call on; `from` guards the move (a report that lost a race changes nothing). Whether it moved. */
export async function updateCall(db: Db, id: number, from: CallStatus[], patch: Partial<PhoneCallRow>): Promise<boolean> {
  return (await db('phone_calls').where({ id }).whereIn('status', from).update({ ...patch, updated_at: Date.now() })) > 0;
}

/** Changes what the panel shows (an agent's choice): the call's stamp moves, so the poller redraws it. */
export async function patchCall(db: Db, id: number, patch: Partial<PhoneCallRow>): Promise<void> {
  await db('phone_calls').where({ id }).update({ ...patch, updated_at: Date.now() });
}

/** The request page the agent has open during the call: the one its hangup is recorded on. */
export async function noteOpenRequest(db: Db, id: number, requestId: number): Promise<void> {
  await db('phone_calls').where({ id, status: 'ANSWERED' })
    .where((w) => w.whereNull('open_request_id').orWhereNot({ open_request_id: requestId }))
    .update({ open_request_id: requestId, updated_at: Date.now() });
}

/** Calls older than this keep no number (`before`: epoch ms). */
export async function forgetOldCallers(db: Db, before: number): Promise<void> {
  await db('phone_calls').where('created_at', '<', before).whereNotNull('caller').update({ caller: null });
}

/**
 * The agent's call whose panel is open: the newest not closed, within the last hours (a
 * connector that never said « hangup » leaves no panel forever). One indexed read: the
 * page asks every second.
 */
export async function panelCall(db: Db, agentId: number, since: number): Promise<PhoneCallRow | undefined> {
  return typed(await db('phone_calls').where({ agent_id: agentId }).orderBy('id', 'desc').first()
    .then((row) => (row && row.closed_at === null && Number(row.created_at) >= since ? row : undefined)));
}

/** The agent a connector names by code, or by the line (extension) set on their account; active accounts only. */
export async function agentIdForCall(db: Db, by: { agent?: string; line?: string }): Promise<number | undefined> {
  const query = db('agents').where({ active: true });
  const row: { id: number } | undefined = by.agent !== undefined ? await query.where({ code: by.agent }).first('id') : await query.where({ phone_line: by.line }).first('id');
  return row ? Number(row.id) : undefined;
}

/** Gives an agent a line (or none): the connector may then name the line instead of the agent. */
export async function setPhoneLine(db: Db, agentId: number, line: string | null): Promise<void> {
  await db('agents').where({ id: agentId }).update({ phone_line: line });
}

export interface CallerFile {
  id: number;
  public_id: string;
  first_name: string;
  last_name: string;
}

/** The citizens' files with this number that the agent may see (the files' own rule). */
export async function filesWithNumber(db: Db, e164: string, agent: Agent): Promise<CallerFile[]> {
  return db('citizens').whereIn('phone_digits', digitSpellingsOf(e164)).modify(visibleTo(agent))
    .orderBy('last_name').orderBy('first_name').limit(10).select('id', 'public_id', 'first_name', 'last_name');
}

export interface CallerRequest {
  id: number;
  reference: string;
  form_type_title: string;
  status: string;
  citizen_id: number | null;
  created_at: number;
}

/**
 * The open requests of the agent's groups that belong to these files or carry the number
 * (the citizen's phone, or in the answers as typed), newest first.
 */
export async function openRequestsForCaller(db: Db, agent: Agent, e164: string, citizenIds: number[]): Promise<CallerRequest[]> {
  const spellings = spellingsOf(e164);
  const query = db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .leftJoin('request_personal as p', 'p.request_id', 'r.id')
    .whereNot('r.status', 'CLOTUREE')
    .where((w) => {
      if (citizenIds.length) w.orWhereIn('r.citizen_id', citizenIds);
      w.orWhereIn('p.phone', spellings);
      for (const s of spellings) w.orWhere('p.answers', 'like', `%${s}%`);
    })
    .orderBy('r.created_at', 'desc').limit(20)
    .select('r.id', 'r.reference', 'f.title as form_type_title', 'r.status', 'r.citizen_id', 'r.created_at');
  return inGroups(query, 'r.group_id', agent.groupIds);
}

/** Claims the call for this request; false when it is already recorded (or claimed) on one. */
export async function claimCallRecording(db: Db, callId: number, requestId: number): Promise<boolean> {
  return (await db('phone_calls').where({ id: callId }).whereNull('request_id').update({ request_id: requestId, updated_at: Date.now() })) > 0;
}

/** Gives the claim back: the workflow refused the call (the request closed meanwhile…). */
export async function releaseCallRecording(db: Db, callId: number): Promise<void> {
  await db('phone_calls').where({ id: callId }).update({ request_id: null, updated_at: Date.now() });
}
