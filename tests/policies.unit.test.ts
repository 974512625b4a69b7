// The policy as a table: every verb × role × « own / other » subject, and the decision.
// A new feature adds its verb and a row here; a verb with a rule and no row fails.
import type { Agent } from '../src/db/agents';
import { abilities, authorize, can, COMMAND_LINE, ruledVerbs, type Actor, type PartnerActor, type TelephonyActor, type Subjects, type Verb } from '../src/policies';
import { CommandError } from '../src/commands/errors';
import { t } from '../src/i18n';

// An agent of service 1 is a member of its own group, 101.
const agentOf = (id: number, serviceIds: number[], isAdmin: boolean): Agent => ({
  id, code: `a${id}`, name: `Agent ${id}`, email: `a${id}@mairie.example`, serviceIds, isAdmin, activated: true, presence: 'DISPONIBLE',
  groupIds: serviceIds.map((s) => 100 + s), memberships: serviceIds.map((s) => ({ groupId: 100 + s, role: 'AGENT' as const, followsService: true })),
});

// Service 1, its group 101 and form type 10 are « own »; service 2, group 102 and form type 20 are another's.
const ROLES = {
  agent: agentOf(1, [1], false),
  administrator: agentOf(2, [], true),
  adminAgent: agentOf(3, [1], true),
  noService: agentOf(4, [], false),
  // An agent of service 1 whose presence is Absent: acts on the service's requests, is given none.
  absentAgent: { ...agentOf(5, [1], false), presence: 'ABSENT' },
  // An agent of service 1 who is the supervisor of its group 101.
  supervisor: { ...agentOf(6, [1], false), memberships: [{ groupId: 101, role: 'SUPERVISOR' as const, followsService: true }] },
  // A dispatcher of group 101: hands its requests around, whoever holds them.
  dispatcher: { ...agentOf(7, [1], false), memberships: [{ groupId: 101, role: 'DISPATCHER' as const, followsService: true }] },
  partner: { kind: 'partner', formTypeIds: [10] } as PartnerActor,
  // A telephony connector's key: reports calls, nothing else.
  telephony: { kind: 'telephony' } as TelephonyActor,
  commandLine: COMMAND_LINE,
} satisfies Record<string, Actor>;
type Role = keyof typeof ROLES;

// The « own » request is held by `agent` (1); the other group's by someone of that group.
const own = { group_id: 101, service_id: 1, form_type_id: 10, service_name: 'État civil', group_name: 'État civil', assignee_id: 1 };
const other = { group_id: 102, service_id: 2, form_type_id: 20, service_name: 'Urbanisme', group_name: 'Urbanisme', assignee_id: 99 };

/** The « own » and « other » subject of a verb, for this actor. */
function subjects(verb: Verb, actor: Actor): [unknown, unknown] {
  switch (verb) {
    case 'readBulkJob': {
      const id = 'id' in actor ? actor.id : 0;
      return [{ agent_id: id }, { agent_id: 99 }];
    }
    case 'releaseAllOf': {
      // « own »: `agent` (1) themselves, for the others a colleague of group 101; « other »: someone of group 102.
      const mine = 'id' in actor && actor.id === 1 ? { id: 1, groupIds: [101] } : { id: 99, groupIds: [101] };
      return [mine, { id: 98, groupIds: [102] }];
    }
    case 'entry':
      return [{ service_id: 1 }, { service_id: 2 }];
    case 'file':
      return [{ id: 10, slug: 'acte-naissance' }, { id: 20, slug: 'declaration-travaux' }];
    case 'supervise':
      return [{ id: 101 }, { id: 102 }];
    case 'writeArticle':
      return [{ service_id: 1 }, { service_id: 2 }];
    // A call answered by this agent / by another one.
    case 'handleCall':
      return [{ agent_id: 'id' in actor ? actor.id : 0 }, { agent_id: 99 }];
    // A consultation asked of group 101 (own) / of group 102 (other), on the other group's request.
    case 'answerConsultation':
      return [{ to_group_id: 101, asked_by: 99, request_group_id: 102 }, { to_group_id: 102, asked_by: 99, request_group_id: 102 }];
    // A consultation asked on a request of group 101 (own) / of group 102 (other), by a colleague.
    case 'withdrawConsultation':
      return [{ to_group_id: 102, asked_by: 99, request_group_id: 101 }, { to_group_id: 101, asked_by: 99, request_group_id: 102 }];
    // A shared reply of service 1 / another agent's personal reply.
    case 'useCannedReply':
      return [{ owner_agent_id: null, service_id: 1 }, { owner_agent_id: 99, service_id: null }];
    // The actor's own reply / a shared one.
    case 'editCannedReply':
      return [{ owner_agent_id: 'id' in actor ? actor.id : 0, service_id: null }, { owner_agent_id: null, service_id: 1 }];
    default:
      return [own, other];
  }
}

const Y = true;
const N = false;
type Row = Record<Role, [own: boolean, other: boolean]>;
const NOBODY: Row = {
  agent: [N, N], administrator: [N, N], adminAgent: [N, N], noService: [N, N], absentAgent: [N, N], supervisor: [N, N], dispatcher: [N, N], partner: [N, N], telephony: [N, N], commandLine: [N, N],
};
// An agent of the service: own only; an administrator without services: nothing.
const SERVICE_AGENTS: Row = { ...NOBODY, agent: [Y, N], adminAgent: [Y, N], absentAgent: [Y, N], supervisor: [Y, N], dispatcher: [Y, N] };
const EVERY_AGENT: Row = { ...NOBODY, agent: [Y, Y], administrator: [Y, Y], adminAgent: [Y, Y], noService: [Y, Y], absentAgent: [Y, Y], supervisor: [Y, Y], dispatcher: [Y, Y] };
const ADMINISTRATION: Row = { ...NOBODY, administrator: [Y, Y], adminAgent: [Y, Y], commandLine: [Y, Y] };

const TABLE: Record<Verb, Row> = {
  read: { ...SERVICE_AGENTS, partner: [Y, N] },
  take: SERVICE_AGENTS,
  hold: SERVICE_AGENTS,
  resume: SERVICE_AGENTS,
  // Held by `agent`: they hand it over; a colleague of the group only as its dispatcher.
  reassign: { ...NOBODY, agent: [Y, N], dispatcher: [Y, N], supervisor: [Y, N] },
  assign: SERVICE_AGENTS,
  // Its holder, a dispatcher of its group, or an administrator (for an absent colleague).
  release: { ...NOBODY, agent: [Y, N], dispatcher: [Y, N], supervisor: [Y, N], administrator: [Y, Y], adminAgent: [Y, Y] },
  dispatch: { ...NOBODY, dispatcher: [Y, N], supervisor: [Y, N] },
  // « Traiter la suivante »: every available agent (the absent one is not).
  next: { ...EVERY_AGENT, absentAgent: [N, N] },
  // `agent` releases their own; a colleague's only a dispatcher of their group, or an administrator.
  releaseAllOf: { ...NOBODY, agent: [Y, N], dispatcher: [Y, N], supervisor: [Y, N], administrator: [Y, Y], adminAgent: [Y, Y] },
  annotate: SERVICE_AGENTS,
  prioritize: SERVICE_AGENTS,
  transfer: SERVICE_AGENTS,
  consult: SERVICE_AGENTS,
  callback: SERVICE_AGENTS,
  logCall: SERVICE_AGENTS,
  close: SERVICE_AGENTS,
  // « Scinder »: as reassign, its holder, or a dispatcher or supervisor of its group (the parts become theirs).
  split: { ...NOBODY, agent: [Y, N], dispatcher: [Y, N], supervisor: [Y, N] },
  // the consulted group's members answer; the request's group (or who asked) withdraws
  answerConsultation: SERVICE_AGENTS,
  withdrawConsultation: SERVICE_AGENTS,
  message: SERVICE_AGENTS,
  // Fusionner, and undoing it: the requests of one's own groups only.
  merge: SERVICE_AGENTS,
  undoMerge: SERVICE_AGENTS,
  // An absent agent is given no request.
  receive: { ...SERVICE_AGENTS, absentAgent: [N, N] },
  entry: SERVICE_AGENTS,
  startBulk: EVERY_AGENT,
  export: EVERY_AGENT,
  labels: EVERY_AGENT,
  citizens: EVERY_AGENT,
  // own job / a colleague's job: administrators read every report.
  readBulkJob: { ...NOBODY, agent: [Y, N], administrator: [Y, Y], adminAgent: [Y, Y], noService: [Y, N], absentAgent: [Y, N], supervisor: [Y, N], dispatcher: [Y, N] },
  file: { ...NOBODY, partner: [Y, N] },
  administer: ADMINISTRATION,
  devMailbox: ADMINISTRATION,
  // A group's room of agent assistance: its members (« Tous les agents », group null, is everyone's: tests/chat.test.ts).
  chat: SERVICE_AGENTS,
  // own group / another group: its supervisors, and administrators for every group (not the command line: a page).
  supervise: { ...NOBODY, supervisor: [Y, N], administrator: [Y, Y], adminAgent: [Y, Y] },
  // The knowledge base: administrators; an agent only with the « rédacteur » right (below).
  writeArticle: { ...NOBODY, administrator: [Y, Y], adminAgent: [Y, Y] },
  // Canned replies: the shared ones of one's services (or of all: below), never a colleague's own.
  useCannedReply: SERVICE_AGENTS,
  // One's own; the shared ones, administrators.
  editCannedReply: { ...NOBODY, agent: [Y, N], administrator: [Y, Y], adminAgent: [Y, Y], noService: [Y, N], absentAgent: [Y, N], supervisor: [Y, N], dispatcher: [Y, N] },
  // The telephone: the connector's key reports calls; a call's panel is its agent's own (tests/telephony.test.ts).
  reportCall: { ...NOBODY, telephony: [Y, Y] },
  handleCall: { ...EVERY_AGENT, agent: [Y, N], administrator: [Y, N], adminAgent: [Y, N], noService: [Y, N], absentAgent: [Y, N], supervisor: [Y, N], dispatcher: [Y, N] },
};

const cases = (Object.keys(TABLE) as Verb[]).flatMap((verb) =>
  (Object.keys(ROLES) as Role[]).flatMap((role) =>
    (['own', 'other'] as const).map((which, i) => ({ verb, role, which, expected: TABLE[verb][role][i] }))));

type AnyCan = (actor: Actor, verb: Verb, subject?: unknown) => boolean;
type AnyAuthorize = (actor: Actor, verb: Verb, subject?: unknown) => void;

describe('the policy table', () => {
  test('has a row for every verb with a rule', () => {
    expect(ruledVerbs().filter((v) => !(v in TABLE))).toEqual([]);
  });

  test.each(cases)('$verb by $role on $which: $expected', ({ verb, role, which, expected }) => {
    const actor = ROLES[role];
    const subject = subjects(verb, actor)[which === 'own' ? 0 : 1];
    expect((can as AnyCan)(actor, verb, subject)).toBe(expected);
    const attempt = () => (authorize as AnyAuthorize)(actor, verb, subject);
    if (expected) {
      expect(attempt).not.toThrow();
    } else {
      expect(attempt).toThrow(CommandError);
    }
  });
});

/** The refusal authorize() throws, as status, code and message. */
function refusal(actor: Actor, verb: Verb, subject?: unknown) {
  try {
    (authorize as AnyAuthorize)(actor, verb, subject);
  } catch (err) {
    const e = err as CommandError;
    return { status: e.status, code: e.code, message: e.message, field: e.field };
  }
  throw new Error('not refused');
}

describe('canned replies', () => {
  test('a shared reply of every service is everyone\'s to use; one of another service, or a colleague\'s own, is « not found »', () => {
    expect(can(ROLES.noService, 'useCannedReply', { owner_agent_id: null, service_id: null })).toBe(true);
    expect(can(ROLES.agent, 'useCannedReply', { owner_agent_id: 1, service_id: null })).toBe(true);
    expect(refusal(ROLES.agent, 'useCannedReply', { owner_agent_id: null, service_id: 2 })).toMatchObject({ status: 404, code: 'CANNED_NOT_FOUND' });
    expect(refusal(ROLES.adminAgent, 'useCannedReply', { owner_agent_id: 1, service_id: null })).toMatchObject({ status: 404, code: 'CANNED_NOT_FOUND' });
    expect(refusal(ROLES.administrator, 'editCannedReply', { owner_agent_id: 1, service_id: null })).toMatchObject({ status: 404, code: 'CANNED_NOT_FOUND' });
  });
});

describe('what a refusal says', () => {
  test('another service’s request: 403 to an agent, « not found » to a partner', () => {
    expect(refusal(ROLES.agent, 'take', other)).toEqual({ status: 403, code: 'FORBIDDEN', message: t('errors.FORBIDDEN'), field: undefined });
    expect(refusal(ROLES.partner, 'read', other)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  test('a form type outside a partner key: 403 naming it, on the formType field', () => {
    expect(refusal(ROLES.partner, 'file', { id: 20, slug: 'declaration-travaux' })).toEqual({
      status: 403, code: 'FORM_TYPE_NOT_ALLOWED', field: 'formType',
      message: t('errors.FORM_TYPE_NOT_ALLOWED', { value: 'declaration-travaux' }),
    });
  });

  test('a reassign to an agent outside the request’s group: 400 on the agent field', () => {
    expect(refusal(ROLES.agent, 'receive', other)).toEqual({
      status: 400, code: 'AGENT_NOT_IN_GROUP', field: 'agent',
      message: t('errors.AGENT_NOT_IN_GROUP', { value: 'Agent 1', group: 'Urbanisme' }),
    });
  });

  test('a reassign to an agent of the service whose account is not activated yet: 400 saying so, on the agent field', () => {
    const pending = { ...ROLES.agent, activated: false };
    expect(can(pending, 'receive', own)).toBe(false);
    expect(refusal(pending, 'receive', own)).toEqual({
      status: 400, code: 'AGENT_NOT_ACTIVATED', field: 'agent', message: t('errors.AGENT_NOT_ACTIVATED', { value: 'Agent 1' }),
    });
  });

  test('a reassign to an agent of the service whose presence is Absent: 400 saying so, on the agent field', () => {
    expect(refusal(ROLES.absentAgent, 'receive', own)).toEqual({
      status: 400, code: 'AGENT_ABSENT', field: 'agent', message: t('errors.AGENT_ABSENT', { value: 'Agent 5' }),
    });
    expect(t('errors.AGENT_ABSENT', { value: 'Agent 5' })).toContain('absent');
  });

  test('a colleague\'s request, reassigned or released by a plain agent of its group: 403 saying who may', () => {
    expect(refusal(ROLES.absentAgent, 'reassign', own)).toMatchObject({ status: 403, code: 'HELD_BY_COLLEAGUE', message: t('errors.HELD_BY_COLLEAGUE') });
    expect(refusal(ROLES.absentAgent, 'release', own)).toMatchObject({ status: 403, code: 'HELD_BY_COLLEAGUE' });
    expect(refusal(ROLES.absentAgent, 'split', own)).toMatchObject({ status: 403, code: 'SPLIT_HELD_BY_COLLEAGUE', message: t('errors.SPLIT_HELD_BY_COLLEAGUE') });
    expect(refusal(ROLES.agent, 'reassign', other)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  test('« Traiter la suivante » to an agent who is not available: 409 naming their presence', () => {
    expect(refusal({ ...ROLES.agent, presence: 'PAUSE' }, 'next')).toEqual({
      status: 409, code: 'NOT_AVAILABLE', field: undefined, message: t('errors.NOT_AVAILABLE', { presence: 'Pause' }),
    });
  });

  test('administration and the dev mailbox: 403 with their own message', () => {
    expect(refusal(ROLES.agent, 'administer')).toMatchObject({ status: 403, message: t('ui.admin.forbidden') });
    expect(refusal(ROLES.agent, 'devMailbox')).toMatchObject({ status: 403, message: t('ui.mailbox.adminOnly') });
    expect(refusal(ROLES.partner, 'administer')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  test('another group’s board, or none: 403 saying the board is its supervisors’', () => {
    expect(refusal(ROLES.agent, 'supervise', { id: 101 })).toMatchObject({ status: 403, code: 'FORBIDDEN', message: t('ui.board.forbidden') });
    expect(refusal(ROLES.supervisor, 'supervise', { id: 102 })).toMatchObject({ status: 403, message: t('ui.board.forbidden') });
  });
});

describe('abilities', () => {
  test('the policy says who, the lifecycle says when', () => {
    const fresh = { ...own, assignee_id: null };
    expect(abilities(ROLES.agent, { ...fresh, status: 'NON_TRAITEE' })).toEqual({
      take: Y, hold: N, resume: N, reassign: Y, annotate: Y, prioritize: Y, transfer: Y, consult: N, callback: Y, logCall: Y, close: N, assign: Y, release: N,
    });
    expect(abilities(ROLES.agent, { ...own, status: 'EN_COURS' })).toEqual({
      take: N, hold: Y, resume: N, reassign: Y, annotate: Y, prioritize: Y, transfer: Y, consult: Y, callback: Y, logCall: Y, close: Y, assign: N, release: Y,
    });
    // Released while under way: anyone of the group may assign it to themselves.
    expect(abilities(ROLES.absentAgent, { ...fresh, status: 'EN_COURS' })).toEqual({
      take: N, hold: Y, resume: N, reassign: Y, annotate: Y, prioritize: Y, transfer: Y, consult: Y, callback: Y, logCall: Y, close: Y, assign: Y, release: N,
    });
    // A colleague's request: a plain agent acts on it but neither hands it over nor releases it; its dispatcher does.
    expect(abilities(ROLES.absentAgent, { ...own, status: 'EN_COURS' })).toMatchObject({ reassign: N, release: N, assign: N, close: Y });
    expect(abilities(ROLES.dispatcher, { ...own, status: 'EN_COURS' })).toMatchObject({ reassign: Y, release: Y, assign: N });
    const none = { take: N, hold: N, resume: N, reassign: N, annotate: N, prioritize: N, transfer: N, consult: N, callback: N, logCall: N, close: N, assign: N, release: N };
    expect(abilities(ROLES.agent, { ...other, status: 'EN_COURS' })).toEqual(none);
    expect(abilities(ROLES.administrator, { ...own, status: 'EN_COURS' })).toEqual({ ...none, release: Y });
  });

  test('a group consulted on another group\'s request: its members read it and do nothing else to it', () => {
    const consulted = { ...other, consulted_group_ids: [101] };
    expect(can(ROLES.agent, 'read', consulted)).toBe(true);
    expect(abilities(ROLES.agent, { ...consulted, status: 'EN_ATTENTE' })).toEqual({
      take: N, hold: N, resume: N, reassign: N, annotate: N, prioritize: N, transfer: N, consult: N, callback: N, logCall: N, close: N, assign: N, release: N,
    });
    expect(can(ROLES.agent, 'message', consulted)).toBe(false);
    expect(can(ROLES.agent, 'read', { ...other, consulted_group_ids: [103] })).toBe(false);
  });

  test('who asked may withdraw the consultation even outside the request\'s group', () => {
    expect(can(ROLES.agent, 'withdrawConsultation', { to_group_id: 103, asked_by: 1, request_group_id: 102 })).toBe(true);
    expect(can(ROLES.agent, 'answerConsultation', { to_group_id: 103, asked_by: 1, request_group_id: 101 })).toBe(false);
  });
});

describe('the knowledge base', () => {
  // An agent of service 1 given the « rédacteur » right.
  const editor: Agent = { ...agentOf(8, [1], false), kbEditor: true };

  test('a rédacteur writes the articles of their services and those for every service, not another service\'s', () => {
    expect(can(editor, 'writeArticle', { service_id: 1 })).toBe(true);
    expect(can(editor, 'writeArticle', { service_id: null })).toBe(true);
    expect(can(editor, 'writeArticle', { service_id: 2 })).toBe(false);
    expect(refusal(editor, 'writeArticle', { service_id: 2 })).toMatchObject({ status: 403, code: 'KB_OTHER_SERVICE' });
  });

  test('an agent without the right writes none, and is told why', () => {
    expect(can(ROLES.agent, 'writeArticle', { service_id: null })).toBe(false);
    expect(refusal(ROLES.agent, 'writeArticle', { service_id: 1 })).toMatchObject({ status: 403, code: 'KB_NOT_EDITOR', message: t('errors.KB_NOT_EDITOR') });
  });
});
