// The call panel of every agent page: what the telephony connector says of the agent's
// current call. Answered, it shows the caller's files and open requests (matched by the
// number in E.164); ended, how long it lasted, the request it was recorded on (or the
// choice of one), and the wrap-up codes. The page asks for it every second (a poller that
// gets 204 while nothing changed), so it works with any number of web processes.
import type { Agent } from '../../db/agents';
import type { Ctx } from '../../commands/context';
import { displayPhone } from '../../calls/phone';
import { callDurationWords } from '../../calls/duration';
import { listCodes } from '../../db/codes';
import { filesWithNumber, noteOpenRequest, openRequestsForCaller, panelCall, type CallerRequest, type PhoneCallRow } from '../../db/phoneCalls';
import { findRequest, findRequestById } from '../../db/requests';
import { telephonyEnabled } from '../../db/telephonyKeys';
import { frenchDate } from '../../dates';
import { t } from '../../i18n';
import { can } from '../../policies';
import { callSeconds } from '../../commands/recordPhoneCall';

/** How often the page asks. */
export const PHONE_POLL_SECONDS = 1;
/** A call older than this has no panel any more (a connector that never said « hangup »). */
const PANEL_MS = 4 * 3600 * 1000;

export interface PhonePanel {
  stamp: string;
  seconds: number;
  call: Awaited<ReturnType<typeof callModel>> | null;
  /** what the agent's last action on the panel did, or why it was refused */
  notice?: string;
  error?: string;
}

const stampOf = (call: PhoneCallRow | undefined) => (call ? `${call.id}-${call.updated_at}` : '0');

/** The request page the agent is on (`/demandes/<reference>`), if they may act on it: a call answered meanwhile is recorded there. */
async function noteRequestPage(ctx: Ctx, agent: Agent, call: PhoneCallRow, path: string): Promise<PhoneCallRow> {
  const m = /^\/demandes\/([A-Za-z0-9-]{1,64})$/.exec(path);
  if (call.status !== 'ANSWERED' || !m) return call;
  const request = await findRequest(ctx.db, m[1]);
  if (!request || request.status === 'CLOTUREE' || !can(agent, 'logCall', request) || Number(request.id) === call.open_request_id) return call;
  await noteOpenRequest(ctx.db, call.id, Number(request.id));
  return (await panelCall(ctx.db, agent.id, Date.now() - PANEL_MS)) ?? call;
}

/**
 * The agent's current call, noting the request page they are on. Without a telephony key
 * there is no call to wait for: the page then asks only every REFRESH_SECONDS whether a
 * connector was set up (stamp « off »), and every second from then on.
 */
async function currentCall(ctx: Ctx, agent: Agent, path: string | null): Promise<{ stamp: string; call?: PhoneCallRow }> {
  if (!(await telephonyEnabled(ctx.db))) return { stamp: 'off' };
  const found = await panelCall(ctx.db, agent.id, Date.now() - PANEL_MS);
  const call = found && path !== null ? await noteRequestPage(ctx, agent, found, path) : found;
  return { stamp: stampOf(call), call };
}

/**
 * The panel of the agent's current call (empty when there is none). `path`: the page the
 * poller runs in (a POST), whose request is noted; null for a page being drawn (a GET
 * changes nothing: its first poll, a second later, notes it).
 */
export async function phonePanelFor(ctx: Ctx, agent: Agent, path: string | null): Promise<PhonePanel> {
  const { stamp, call } = await currentCall(ctx, agent, path);
  const seconds = stamp === 'off' ? ctx.config.refreshSeconds : PHONE_POLL_SECONDS;
  return { stamp, seconds, call: call ? await callModel(ctx, agent, call) : null };
}

/** Whether the panel changed since the page's `stamp` (the poller's question), without building it. */
export async function panelChanged(ctx: Ctx, agent: Agent, stamp: string, path: string): Promise<boolean> {
  return (await currentCall(ctx, agent, path)).stamp !== stamp;
}

const requestLink = (r: CallerRequest) => ({ reference: r.reference, title: r.form_type_title, state: t(`status.${r.status}`), href: `/demandes/${r.reference}` });

/** Who is calling: their files (each with its open requests) and the other open requests that carry the number. */
async function callerModel(ctx: Ctx, agent: Agent, e164: string) {
  const files = await filesWithNumber(ctx.db, e164, agent);
  const requests = await openRequestsForCaller(ctx.db, agent, e164, files.map((f) => Number(f.id)));
  const query = `?telephone=${encodeURIComponent(e164)}`;
  return {
    files: files.map((f) => ({
      name: `${f.first_name} ${f.last_name}`, href: `/usagers/${f.public_id}`,
      requests: requests.filter((r) => r.citizen_id !== null && Number(r.citizen_id) === Number(f.id)).map(requestLink),
    })),
    others: requests.filter((r) => !files.some((f) => r.citizen_id !== null && Number(f.id) === Number(r.citizen_id))).map(requestLink),
    requests: requests.map(requestLink),
    unknown: files.length === 0,
    createHref: `/usagers/nouveau${query}`,
    entryHref: `/saisie${query}`,
  };
}

async function referenceOf(ctx: Ctx, id: number | null): Promise<string | null> {
  return id === null ? null : (await findRequestById(ctx.db, id))?.reference ?? null;
}

async function callModel(ctx: Ctx, agent: Agent, call: PhoneCallRow) {
  const ended = call.status === 'ENDED';
  const recordedOn = ended ? await referenceOf(ctx, call.request_id) : null;
  return {
    id: call.id,
    ringing: call.status === 'RINGING',
    answered: call.status === 'ANSWERED',
    ended,
    missed: ended && call.answered_at === null,
    number: call.caller ? displayPhone(call.caller) : t('ui.telephony.numberForgotten'),
    tel: call.caller ?? '',
    since: frenchDate(call.answered_at ?? call.ringing_at ?? call.created_at, 'time'),
    duration: ended && call.answered_at !== null ? callDurationWords(callSeconds(call)) : null,
    caller: call.caller && call.status !== 'RINGING' ? await callerModel(ctx, agent, call.caller) : null,
    openOn: call.status === 'ANSWERED' ? await referenceOf(ctx, call.open_request_id) : null,
    recordedOn,
    wrapUpCodes: recordedOn ? await listCodes(ctx.db, 'wrap_up_codes') : [],
  };
}
