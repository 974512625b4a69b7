// Who may do what, in one place (as Outline's policies): `allow(kind, verbs, rule)` says,
// for an actor of that kind, which subjects each verb may touch; nothing allowed here is
// refused. Routes, commands and the API call `authorize()`, which throws the refusal the
// caller shows; templates and filters ask `can()`. When a request may be acted on (its
// status) is the lifecycle's rule, not this module's: `abilities()` combines both.
import { CommandError } from './commands/errors';
import type { Agent } from './db/agents';
import { t } from './i18n';
import { allowedActions, type Action } from '../workflows/lifecycle';

/** A partner's API key: it reads and files only the form types of its scope. */
export interface PartnerActor {
  kind: 'partner';
  formTypeIds: readonly number[];
}

/** A telephony connector's key: it reports the calls of the agents' lines, and nothing else. */
export interface TelephonyActor {
  kind: 'telephony';
}

/** Whoever runs the command line on the server (and the demo seed): the operator, allowed the administration. */
export interface OperatorActor {
  kind: 'operator';
}

export type Actor = Agent | PartnerActor | OperatorActor | TelephonyActor;

export const COMMAND_LINE: OperatorActor = { kind: 'operator' };

/** A request, as far as rights go: the group whose queue it is in, its service, and its form type for partners. */
export interface RequestSubject {
  group_id: number | string | null;
  service_id: number | string | null;
  form_type_id?: number;
  service_name?: string;
  group_name?: string | null;
  /** the groups consulted on it whose answer is awaited: their members may read it (src/db/consultations.ts) */
  consulted_group_ids?: readonly number[];
  /** who holds it (absent: not known to the caller, as for a bulk selection's rights) */
  assignee_id?: number | string | null;
}

/** A consultation, as far as rights go: the group asked, who asked, and the request's group. */
export interface ConsultationSubject {
  to_group_id: number;
  asked_by: number;
  request_group_id: number | null;
}

/** A canned reply, as far as rights go: its owner (null: shared) and its service (null: every service). */
export interface CannedReplySubject {
  owner_agent_id: number | null;
  service_id: number | null;
}

/** What each verb is about. `void`: the verb names an area, not one thing. */
export interface Subjects {
  read: RequestSubject;
  take: RequestSubject;
  hold: RequestSubject;
  resume: RequestSubject;
  reassign: RequestSubject;
  annotate: RequestSubject;
  prioritize: RequestSubject;
  /** moving it to another group's queue */
  transfer: RequestSubject;
  /** asking another group's opinion on it */
  consult: RequestSubject;
  /** planning, moving or cancelling a callback */
  callback: RequestSubject;
  /** recording a call's outcome (wrap-up code) */
  logCall: RequestSubject;
  close: RequestSubject;
  /** « Scinder »: closing it into two new requests of the same citizen, assigned to oneself */
  split: RequestSubject;
  message: RequestSubject;
  /** answering it: a member of the consulted group */
  answerConsultation: ConsultationSubject;
  /** withdrawing it: who asked, or a member of the request's group */
  withdrawConsultation: ConsultationSubject;
  /** S'assigner: taking an unassigned request of one's group */
  assign: RequestSubject;
  /** Libérer: giving a request back to its group's queue */
  release: RequestSubject;
  /** merging it with other requests of the same citizen (each request of the selection is checked) */
  merge: RequestSubject;
  /** undoing the merge that made this request */
  undoMerge: RequestSubject;
  /** giving a request held by a colleague to another (a dispatcher's or supervisor's act) */
  dispatch: RequestSubject;
  /** the « Traiter la suivante » button: serving oneself the next request of one's queues */
  next: void;
  /** releasing, or handing to a colleague, every request an agent holds (« Libérer tous mes dossiers ») */
  releaseAllOf: { id: number; groupIds: readonly number[] };
  /** being the agent a request is reassigned to */
  receive: RequestSubject;
  startBulk: void;
  readBulkJob: { agent_id: number };
  export: void;
  labels: void;
  /** filing a request for a citizen, of this form type */
  entry: { service_id: number | string };
  citizens: void;
  /** filing a request through the API, of this form type */
  file: { id: number; slug: string };
  administer: void;
  devMailbox: void;
  /** reading and posting in a room of agent assistance: a group's (null: « Tous les agents ») */
  chat: { group_id: number | null };
  /** the supervisor's board of this group (« Tableau de bord ») */
  supervise: { id: number | string };
  /** writing an article of the knowledge base of this service (null: for every service) */
  writeArticle: { service_id: number | null };
  /** seeing a canned reply and filling it into a message (« Réponses types ») */
  useCannedReply: CannedReplySubject;
  /** changing or deleting a canned reply */
  editCannedReply: CannedReplySubject;
  /** reporting a telephone call (ringing, answered, hangup) of an agent's line: the connector's key */
  reportCall: void;
  /** a telephone call shown in the agent's page: its panel, recording it on a request, its wrap-up */
  handleCall: { agent_id: number | string };
}

export type Verb = keyof Subjects;
/** The verbs about an area (a page, a kind of job), not one thing. */
export type AreaVerb = { [V in Verb]: Subjects[V] extends void ? V : never }[Verb];
type Kind = 'agent' | 'partner' | 'operator' | 'telephony';
type ActorOf<K extends Kind> = K extends 'agent' ? Agent : K extends 'partner' ? PartnerActor : K extends 'telephony' ? TelephonyActor : OperatorActor;
type Rule = (actor: never, subject: never) => boolean;
type Refusal = (actor: never, subject: never) => CommandError;

const rules = new Map<string, Rule>();
const refusals = new Map<string, Refusal>();

export const kindOf = (actor: Actor): Kind => ('kind' in actor ? actor.kind : 'agent');

export function isAgent(actor: Actor): actor is Agent {
  return kindOf(actor) === 'agent';
}

/** Allows `verbs` to actors of `kind` for the subjects `rule` accepts (every subject without a rule). */
function allow<K extends Kind, V extends Verb>(kind: K, verbs: V | V[], rule: (actor: ActorOf<K>, subject: Subjects[V]) => boolean = () => true): void {
  for (const verb of Array.isArray(verbs) ? verbs : [verbs]) {
    rules.set(`${kind}:${verb}`, rule as Rule);
  }
}

/** What a refusal says, when it is not the plain 403 « FORBIDDEN ». */
function refuse<K extends Kind, V extends Verb>(kind: K, verbs: V | V[], refusal: (actor: ActorOf<K>, subject: Subjects[V]) => CommandError): void {
  for (const verb of Array.isArray(verbs) ? verbs : [verbs]) {
    refusals.set(`${kind}:${verb}`, refusal as Refusal);
  }
}

export const REQUEST_VERBS = ['read', 'take', 'hold', 'resume', 'annotate', 'prioritize', 'transfer', 'consult', 'callback', 'logCall', 'close', 'message', 'assign'] as const;
export const ADMIN_VERBS = ['administer', 'devMailbox'] as const;

const inService = (agent: Agent, subject: { service_id: number | string | null }) =>
  subject.service_id !== null && agent.serviceIds.includes(Number(subject.service_id));
const inGroup = (agent: Agent, subject: { group_id: number | string | null }) =>
  subject.group_id !== null && agent.groupIds.includes(Number(subject.group_id));

// Agents see and act on the requests waiting in the queues of the groups they belong to,
// and only on those: a request moved to another group leaves their hands.
allow('agent', [...REQUEST_VERBS], inGroup);
// The experts of a group consulted on a request read it while their answer is awaited, and
// do nothing else to it but answer.
const consulted = (agent: Agent, subject: RequestSubject) => (subject.consulted_group_ids ?? []).some((id) => agent.groupIds.includes(Number(id)));
allow('agent', 'read', (agent, request) => inGroup(agent, request) || consulted(agent, request));
allow('agent', 'answerConsultation', (agent, c) => agent.groupIds.includes(Number(c.to_group_id)));
allow('agent', 'withdrawConsultation', (agent, c) => c.asked_by === agent.id || inGroup(agent, { group_id: c.request_group_id }));

// A group's dispatchers and supervisors hand its requests around, whoever holds them.
const leads = (agent: Agent, subject: { group_id: number | string | null }) =>
  subject.group_id !== null && agent.memberships.some((m) => m.groupId === Number(subject.group_id) && m.role !== 'AGENT');
const heldBy = (agent: Agent, subject: RequestSubject) => subject.assignee_id !== undefined && subject.assignee_id !== null && Number(subject.assignee_id) === agent.id;
const unassigned = (subject: RequestSubject) => subject.assignee_id === undefined || subject.assignee_id === null;
allow('agent', 'dispatch', leads);
// Réattribuer: an agent hands over what is theirs or nobody's; a colleague's request only
// its group's dispatchers and supervisors may give to someone else.
const handsOver = (agent: Agent, request: RequestSubject) => inGroup(agent, request) && (unassigned(request) || heldBy(agent, request) || leads(agent, request));
allow('agent', 'reassign', handsOver);
// Libérer: its holder, or a dispatcher or supervisor of its group; an administrator
// releases an absent colleague's requests too (« Équipe »).
// A colleague's request in one's own group: the refusal says who may do it instead.
refuse('agent', ['reassign', 'release'], (agent, request) =>
  inGroup(agent, request) ? CommandError.of(403, 'HELD_BY_COLLEAGUE') : CommandError.of(403, 'FORBIDDEN'));
// Scinder: an agent splits what is theirs or nobody's (the parts become theirs); a
// colleague's request only its group's dispatchers and supervisors, who hand work around.
allow('agent', 'split', handsOver);
refuse('agent', 'split', (agent, request) =>
  inGroup(agent, request) ? CommandError.of(403, 'SPLIT_HELD_BY_COLLEAGUE') : CommandError.of(403, 'FORBIDDEN'));

// Nobody's request is no one else's either: the workflow says there is nothing to release.
allow('agent', 'release', (agent, request) => (inGroup(agent, request) && (unassigned(request) || heldBy(agent, request) || leads(agent, request))) || agent.isAdmin);
// « Traiter la suivante » is offered to the agents who said they are available.
allow('agent', 'next', (agent) => agent.presence === 'DISPONIBLE');
// Before leave, one's own; for an absent colleague, a dispatcher or supervisor of one of
// their groups, or an administrator (Athena §6–7). Each request is still checked on its own.
allow('agent', 'releaseAllOf', (agent, holder) =>
  holder.id === agent.id || agent.isAdmin || holder.groupIds.some((groupId) => leads(agent, { group_id: groupId })));
refuse('agent', 'next', (agent) => CommandError.of(409, 'NOT_AVAILABLE', { presence: t(`ui.presence.values.${agent.presence}`) }));
// A request is given only to an agent who can open it: not to an account whose activation
// is pending (no password chosen yet). Deactivated accounts are not loaded as agents at all.
// Nor to an agent who said they are absent (their presence): it would wait until they are back.
allow('agent', 'receive', (agent, request) => agent.activated && agent.presence !== 'ABSENT' && inGroup(agent, request));
refuse('agent', 'receive', (agent, request) => {
  if (!agent.activated) return CommandError.of(400, 'AGENT_NOT_ACTIVATED', { value: agent.name }, 'agent');
  if (agent.presence === 'ABSENT') return CommandError.of(400, 'AGENT_ABSENT', { value: agent.name }, 'agent');
  return CommandError.of(400, 'AGENT_NOT_IN_GROUP', { value: agent.name, group: request.group_name ?? request.service_name ?? '' }, 'agent');
});
allow('agent', 'entry', inService);
// Merging (« Fusionner »): only requests of one's own queues, each of them; another group's
// request is refused with its reference, so the agent knows which to leave out.
allow('agent', ['merge', 'undoMerge'], inGroup);
refuse('agent', ['merge', 'undoMerge'], (_agent, request) => CommandError.of(403, 'MERGE_OTHER_GROUP', { reference: (request as { reference?: string }).reference ?? '' }));
// A group's room of agent assistance is its members'; « Tous les agents » is everyone's.
// To anyone else a group's room is « not found », as one that does not exist.
allow('agent', 'chat', (agent, room) => room.group_id === null || agent.groupIds.includes(room.group_id));
refuse('agent', 'chat', () => CommandError.of(404, 'CHAT_ROOM_NOT_FOUND'));

// Whatever an agent's groups, the selection they act on or list is narrowed to their queues (inGroups).
allow('agent', ['startBulk', 'export', 'labels', 'citizens']);
allow('agent', 'readBulkJob', (agent, job) => job.agent_id === agent.id || agent.isAdmin);

// A group's board: its supervisors (a role in the group), and administrators for every group.
allow('agent', 'supervise', (agent, group) => agent.isAdmin || agent.memberships.some((m) => m.groupId === Number(group.id) && m.role === 'SUPERVISOR'));
refuse('agent', 'supervise', () => new CommandError(403, 'FORBIDDEN', t('ui.board.forbidden')));
/** Whether the agent supervises some group: the nav then offers the board. */
export const supervisesAny = (agent: Agent): boolean => agent.isAdmin || agent.memberships.some((m) => can(agent, 'supervise', { id: m.groupId }));

// The knowledge base: every agent reads it; administrators write any article, agents given
// the « rédacteur » right those of their services and those for every service.
allow('agent', 'writeArticle', (agent, article) => agent.isAdmin || (agent.kbEditor === true && (article.service_id === null || agent.serviceIds.includes(Number(article.service_id)))));
refuse('agent', 'writeArticle', (agent) => CommandError.of(403, agent.kbEditor ? 'KB_OTHER_SERVICE' : 'KB_NOT_EDITOR'));
// Canned replies: an agent uses the shared ones of their services (or of every service) and
// their own; they change only their own, and the administrators the shared ones. Anyone
// else's is « not found », as one that does not exist.
const ownReply = (agent: Agent, reply: CannedReplySubject) => reply.owner_agent_id !== null && Number(reply.owner_agent_id) === agent.id;
allow('agent', 'useCannedReply', (agent, reply) => ownReply(agent, reply)
  || (reply.owner_agent_id === null && (reply.service_id === null || agent.serviceIds.includes(Number(reply.service_id)))));
allow('agent', 'editCannedReply', (agent, reply) => ownReply(agent, reply) || (reply.owner_agent_id === null && agent.isAdmin));
refuse('agent', ['useCannedReply', 'editCannedReply'], () => CommandError.of(404, 'CANNED_NOT_FOUND'));

// Administration: administrators, and the operator at the command line.
allow('agent', [...ADMIN_VERBS], (agent) => agent.isAdmin);
allow('operator', [...ADMIN_VERBS]);
refuse('agent', 'administer', () => new CommandError(403, 'FORBIDDEN', t('ui.admin.forbidden')));
refuse('agent', 'devMailbox', () => new CommandError(403, 'FORBIDDEN', t('ui.mailbox.adminOnly')));

// A partner key reads and files only the requests of its form types; another form type's
// request is « not found », so that a partner does not learn what others filed.
const inScope = (partner: PartnerActor, formTypeId: number | undefined) => formTypeId !== undefined && partner.formTypeIds.includes(Number(formTypeId));
allow('partner', 'read', (partner, request) => inScope(partner, request.form_type_id));
refuse('partner', 'read', () => CommandError.of(404, 'NOT_FOUND'));
allow('partner', 'file', (partner, formType) => inScope(partner, formType.id));
refuse('partner', 'file', (_partner, formType) => CommandError.of(403, 'FORM_TYPE_NOT_ALLOWED', { value: formType.slug }, 'formType'));

// The telephone: the connector's key reports calls (and reads nothing); a call's panel is
// the answering agent's own, « not found » to anyone else, as a call that does not exist.
allow('telephony', 'reportCall');
allow('agent', 'handleCall', (agent, call) => Number(call.agent_id) === agent.id);
refuse('agent', 'handleCall', () => CommandError.of(404, 'PHONE_CALL_NOT_FOUND'));

/** Whether the actor may do `verb` to `subject`. */
export function can<V extends Verb>(actor: Actor, verb: V, ...subject: Subjects[V] extends void ? [] : [Subjects[V]]): boolean {
  const rule = rules.get(`${kindOf(actor)}:${verb}`) as ((a: Actor, s: unknown) => boolean) | undefined;
  return rule ? rule(actor, subject[0]) : false;
}

/** Throws the refusal (403 « FORBIDDEN » unless the verb says otherwise) when the actor may not. */
export function authorize<V extends Verb>(actor: Actor, verb: V, ...subject: Subjects[V] extends void ? [] : [Subjects[V]]): void {
  if (can(actor, verb, ...subject)) {
    return;
  }
  const refusal = refusals.get(`${kindOf(actor)}:${verb}`) as ((a: Actor, s: unknown) => CommandError) | undefined;
  throw refusal ? refusal(actor, subject[0]) : CommandError.of(403, 'FORBIDDEN');
}

/** The actions the agent may offer on this request now: the template shows only these buttons. */
export function abilities(agent: Agent, request: RequestSubject & { status: Parameters<typeof allowedActions>[0] }): Record<Action, boolean> {
  const allowed = allowedActions(request.status);
  const may = (action: Action) => allowed.includes(action) && can(agent, action, request);
  return {
    take: may('take'), hold: may('hold'), resume: may('resume'), reassign: may('reassign'), annotate: may('annotate'), prioritize: may('prioritize'),
    transfer: may('transfer'), consult: may('consult'), callback: may('callback'), logCall: may('logCall'), close: may('close'),
    // Who holds it decides: one assigns oneself what nobody holds, releases what somebody does.
    assign: may('assign') && unassigned(request), release: may('release') && !unassigned(request),
  };
}

/** The agent acting, to record as the author of a change; null for the command line. */
export const agentIdOf = (actor: Actor): number | null => (isAgent(actor) ? actor.id : null);

/** Every verb some actor may do: the test table must have a row for each. */
export const ruledVerbs = (): Verb[] => [...new Set([...rules.keys()].map((key) => key.split(':')[1] as Verb))];
