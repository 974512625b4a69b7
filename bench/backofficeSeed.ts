// Requests written straight into the database for the back-office benchmark: the list
// pages, the search and the exports read the database only, so these rows need no
// workflow (workflow_started is true, so the intake sweep leaves them alone). They look
// like a municipality's: 3 services, 6 form types, accented French names, closed
// requests purged (no personal data, closing code, milestones), the same rows on every
// run (a seeded pseudo-random generator).
import { OPEN_STATUSES, type Status } from '../workflows/definitions';
import { isMysql, type Db } from '../src/db/connection';
import { refreshDeadlines } from '../src/db/deadlines';
import { nameWords } from '../src/db/nameWords';
import { referenceOf } from '../src/db/requests';
import { searchable } from '../src/search/normalize';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;

/** How the statuses are spread: the mix, only closed requests (the journal to export), or only unprocessed ones (the timers). */
export type Mix = 'realistic' | 'closed' | 'unprocessed';

const FIRST_NAMES = [
  'Léa', 'Hugo', 'Inès', 'Chloé', 'Noémie', 'Maël', 'Zoé', 'Jérôme', 'Hélène', 'Anaïs', 'Loïc', 'Gaëlle', 'Éric',
  'Amélie', 'François', 'Séverine', 'Benoît', 'Héloïse', 'Cédric', 'Mélanie', 'Raphaël', 'Agnès', 'Joël', 'Clémence',
  'Thaïs', 'Stéphane', 'Valérie', 'Grégoire', 'Océane', 'Aurélien', 'Sophie', 'Lucas', 'Emma', 'Louis', 'Jade',
  'Gabriel', 'Manon', 'Arthur', 'Camille', 'Nathan', 'Pauline', 'Théo', 'Margaux', 'Julien', 'Élodie', 'Mathis',
];
const LAST_NAMES = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon',
  'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard',
  'André', 'Lefebvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier',
  'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu',
  'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Sanchez', 'Gérard',
  'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval', 'Joly', 'Gautier', 'Roger', 'Roche', 'Roy', 'Noël', 'Meyer',
  'Lucas', 'Meunier', 'Jean', 'Pérez', 'Marchand', 'Dufour', 'Blanchard', 'Barbier', 'Brun', 'Dumas', 'Brunet',
  'Schmitt', 'Leroux', 'Colin', 'Fernandez', 'Pierre', 'Renard', 'Arnaud', 'Rolland', 'Caron', 'Aubert', 'Giraud',
  'Leclerc', 'Vidal', 'Bourgeois', 'Renaud', 'Lemoine', 'Picard', 'Gaillard', 'Philippe', 'Leclercq', 'Lacroix',
  'Fabre', 'Dupuis', 'Olivier', 'Rodriguez', 'Da Silva', 'Hubert', 'Louis', 'Charles', 'Guillot', 'Rivière',
  'Le Gall', 'Guillaume', 'Adam', 'Rey', 'Moulin', 'Gonzalez', 'Berger', 'Lecomte', 'Ménard', 'Fleury', 'Deschamps',
  'Carpentier', 'Julien', 'Benoît', 'Paris', 'Maillard', 'Marchal', 'Aubry', 'Vasseur', 'Le Roux', 'Renault',
  'Jacquet', 'Collet', 'Prévost', 'Poirier', 'Charpentier', 'Royer', 'Huet', 'Baron', 'Dupuy', 'Pons', 'Paul',
  'Laine', 'Carré', 'Breton', 'Rémy', 'Schneider', 'Perrot', 'Barré', 'Marty', 'Cousin', 'Lebrun', 'Bérard',
];
const STREETS = ['rue des Lilas', 'place de la Mairie', 'impasse du Port', 'avenue Jean-Jaurès', 'boulevard Victor-Hugo', 'chemin des Écoliers', 'allée des Tilleuls'];
const CHANNELS: [string, number][] = [['web', 0.85], ['counter', 0.07], ['phone', 0.05], ['mail', 0.03]];
const CLOSING: [string, number][] = [['TRAITEE', 0.7], ['SANS_SUITE', 0.1], ['REJETEE', 0.1], ['DOUBLON', 0.05], ['EXPIRED', 0.05]];
const STATUS_MIX: Record<Mix, [Status, number][]> = {
  realistic: [['NON_TRAITEE', 0.3], ['EN_COURS', 0.2], ['EN_ATTENTE', 0.1], ['CLOTUREE', 0.4]],
  closed: [['CLOTUREE', 1]],
  unprocessed: [['NON_TRAITEE', 1]],
};
// Every tracking code starts with the request id in this alphabet: unique without asking the database.
const TRACKING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** mulberry32: small, fast, and the same sequence for the same seed (also replays a chaos run's plan). */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(rnd: Random, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
const between = (rnd: Random, from: number, to: number): number => Math.floor(from + rnd() * (to - from));

function weighted<T>(rnd: Random, choices: [T, number][]): T {
  let r = rnd();
  for (const [value, weight] of choices) {
    r -= weight;
    if (r < 0) {
      return value;
    }
  }
  return choices[choices.length - 1][0];
}

function trackingCode(id: number, rnd: Random): string {
  let head = '';
  for (let n = id, i = 0; i < 5; i += 1, n = Math.floor(n / 32)) {
    head = TRACKING_ALPHABET[n % 32] + head;
  }
  const tail = Array.from({ length: 5 }, () => pick(rnd, TRACKING_ALPHABET.split(''))).join('');
  return `${head}-${tail}`;
}

interface FormTypeInfo {
  id: number;
  serviceId: number;
  /** the group whose queue its requests wait in */
  groupId: number | null;
  /** the service's agents other than the administrator: who takes its requests */
  agentIds: number[];
}

async function formTypesOf(db: Db): Promise<FormTypeInfo[]> {
  const types: { id: number; service_id: number; group_id: number | null }[] = await db('form_types').orderBy('id').select('id', 'service_id', 'group_id');
  const members: { agent_id: number; service_id: number }[] = await db('agent_services as m')
    .join('agents as a', 'a.id', 'm.agent_id')
    .where('a.is_admin', false)
    .select('m.agent_id', 'm.service_id');
  return types.map((t) => ({
    id: t.id,
    serviceId: t.service_id,
    groupId: t.group_id,
    agentIds: members.filter((m) => m.service_id === t.service_id).map((m) => m.agent_id),
  }));
}

interface Rows {
  requests: Record<string, unknown>[];
  personal: Record<string, unknown>[];
  words: Record<string, unknown>[];
  events: Record<string, unknown>[];
  messages: Record<string, unknown>[];
}

/**
 * How a city's requests spread, besides the status mix: a few form types take most
 * of them (birth certificates, not cemetery plots), the journal spans three years and the
 * open requests one, priorities vary, and a third of the open requests have messages.
 */
interface Spread {
  /** cumulative weights of the form types, for a binary search */
  cumulative: number[] | null;
  closedDays: number;
  openDays: number;
  messages: boolean;
}

const EVEN: Spread = { cumulative: null, closedDays: 730, openDays: 180, messages: false };

/** Zipf-like: the k-th form type is filed 1/(k+1)^0.8 as often as the first (shuffled by id so that every service has a big one or a small one). */
function citySpread(formTypes: FormTypeInfo[]): Spread {
  let sum = 0;
  const cumulative = formTypes.map((_, k) => (sum += 1 / ((((k * 7) % formTypes.length) + 1) ** 0.8)));
  return { cumulative: cumulative.map((c) => c / sum), closedDays: 3 * 365, openDays: 365, messages: true };
}

function pickType(rnd: Random, formTypes: FormTypeInfo[], spread: Spread): FormTypeInfo {
  if (!spread.cumulative) {
    return pick(rnd, formTypes);
  }
  const r = rnd();
  let lo = 0;
  let hi = spread.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spread.cumulative[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return formTypes[lo];
}

const PRIORITY_MIX: [number, number][] = [[1, 0.1], [2, 0.75], [3, 0.15]];

/** A few messages between the citizen and the agent on an open request (the purge deletes a closed one's). */
function messageRows(id: number, from: number, now: number, agentId: number | null, rnd: Random, out: Rows): void {
  const n = between(rnd, 1, 4);
  for (let i = 0; i < n; i += 1) {
    const byAgent = agentId !== null && i % 2 === 1;
    out.messages.push({
      request_id: id, author: byAgent ? 'agent' : 'citizen', agent_id: byAgent ? agentId : null, visible: true, final: false,
      body: byAgent ? 'Bonjour, pourriez-vous nous transmettre la pièce manquante ?' : 'Bonjour, où en est ma demande ?',
      created_at: Math.min(now - 1000, from + between(rnd, HOUR, 10 * DAY) * (i + 1)),
    });
  }
}

/** One request, its personal data unless purged, and its milestones, as a municipality's would be. */
function requestRows(id: number, mix: Mix, formTypes: FormTypeInfo[], now: number, rnd: Random, out: Rows, spread: Spread = EVEN): void {
  const type = pickType(rnd, formTypes, spread);
  const status = weighted(rnd, STATUS_MIX[mix]);
  const agentId = type.agentIds.length ? pick(rnd, type.agentIds) : null;
  const events: { type: string; at: number; agent: number | null }[] = [];
  const closingCode = status === 'CLOTUREE' ? weighted(rnd, CLOSING) : null;
  // Open requests are recent (an unprocessed one is deleted after 30 days); the journal spans 2 years.
  const created = status === 'NON_TRAITEE' ? now - between(rnd, HOUR, 30 * DAY)
    : status === 'CLOTUREE' ? now - between(rnd, closingCode === 'EXPIRED' ? 31 * DAY : 2 * DAY, spread.closedDays * DAY)
      : now - between(rnd, 2 * DAY, spread.openDays * DAY);
  // When the request entered its status (the in-progress reminder counts from it).
  let statusSince = created;
  events.push({ type: 'SUBMITTED', at: created, agent: null });
  const row: Record<string, unknown> = {
    id,
    reference: referenceOf('DEM', id, created),
    tracking_code: trackingCode(id, rnd),
    form_type_id: type.id,
    service_id: type.serviceId,
    group_id: type.groupId,
    status,
    assignee_id: null,
    closing_code: null,
    hold_until: null,
    citizen_has_email: false,
    created_at: created,
    taken_at: null,
    closed_at: null,
    purged_at: null,
    workflow_started: true,
    channel: weighted(rnd, CHANNELS),
    citizen_unread: 0,
    waiting_for_citizen: false,
  };
  if (spread.cumulative) {
    row.priority = weighted(rnd, PRIORITY_MIX);
  }
  if (status !== 'NON_TRAITEE' && closingCode !== 'EXPIRED') {
    const taken = Math.min(now - HOUR, created + between(rnd, HOUR, 5 * DAY));
    row.assignee_id = agentId;
    row.taken_at = taken;
    events.push({ type: 'TAKEN', at: taken, agent: agentId });
    statusSince = taken;
    if (rnd() < 0.2) {
      events.push({ type: pick(rnd, ['NOTE', 'APPEL_TELEPHONIQUE', 'COURRIER_ENVOYE', 'PIECE_DEMANDEE']), at: taken + between(rnd, 0, HOUR), agent: agentId });
    }
  }
  const last = () => events[events.length - 1].at;
  if (status === 'EN_ATTENTE') {
    const held = Math.min(now - 1000, last() + between(rnd, HOUR, 3 * DAY));
    events.push({ type: 'HELD', at: held, agent: agentId });
    statusSince = held;
    row.hold_until = rnd() < 0.7 ? held + between(rnd, 7 * DAY, 30 * DAY) : null;
    row.waiting_for_citizen = rnd() < 0.3;
  }
  if (status === 'CLOTUREE') {
    const closed = closingCode === 'EXPIRED' ? created + 30 * DAY : Math.min(now - 1000, last() + between(rnd, HOUR, 30 * DAY));
    row.closing_code = closingCode;
    row.closed_at = closed;
    // The purge runs on close: nothing personal is left.
    row.purged_at = closed;
    statusSince = closed;
    events.push({ type: closingCode === 'EXPIRED' ? 'EXPIRED' : 'CLOSED', at: closed, agent: closingCode === 'EXPIRED' ? null : agentId });
  } else {
    const firstName = pick(rnd, FIRST_NAMES);
    const lastName = pick(rnd, LAST_NAMES);
    const hasEmail = rnd() < 0.8;
    row.citizen_has_email = hasEmail;
    out.personal.push({
      request_id: id,
      first_name: firstName,
      last_name: lastName,
      email: hasEmail ? `${searchable(firstName)}.${searchable(lastName).replace(/ /g, '-')}${id % 97}@example.org` : null,
      phone: rnd() < 0.5 ? `06 ${String(between(rnd, 10, 99))} ${String(between(rnd, 10, 99))} ${String(between(rnd, 10, 99))} ${String(between(rnd, 10, 99))}` : null,
      address: `${between(rnd, 1, 120)} ${pick(rnd, STREETS)}\n44000 Nantes`,
      answers: JSON.stringify({ objet: 'Demande', précisions: 'Saisie du banc d’essai', exemplaires: between(rnd, 1, 4) }),
      sort_name: searchable(`${lastName} ${firstName}`),
    });
    out.words.push(...nameWords(`${firstName} ${lastName}`).map((word) => ({ request_id: id, word, group_id: type.groupId })));
    if (spread.messages && rnd() < 0.3) {
      messageRows(id, created, now, row.assignee_id as number | null, rnd, out);
    }
  }
  row.version = events.length;
  row.updated_at = last();
  row.status_since = statusSince;
  out.requests.push(row);
  events.forEach((e, i) => out.events.push({
    request_id: id, seq: i + 1, type: e.type, agent_id: e.agent, comment_id: null, at: e.at, service_id: type.serviceId, form_type_id: type.id, group_id: type.groupId,
  }));
}

export interface SeedOptions {
  count: number;
  mix: Mix;
  /** same seed, same rows */
  seed?: number;
  /** rows per transaction */
  batch?: number;
  now?: number;
  /** only these form types (all by default) */
  formTypeIds?: number[];
  /** a city's spread (see Spread) rather than an even one; also writes messages */
  city?: boolean;
}

/** Writes `count` requests in batches (one transaction each, two at a time); resolves with the seconds it took. */
export async function seedRequests(db: Db, opts: SeedOptions): Promise<number> {
  const started = performance.now();
  const formTypes = (await formTypesOf(db)).filter((t) => !opts.formTypeIds || opts.formTypeIds.includes(t.id));
  const now = opts.now ?? Date.now();
  const batch = opts.batch ?? 1000;
  const rnd = generator(opts.seed ?? 20261123);
  const spread = opts.city ? citySpread(formTypes) : EVEN;
  const maxRow = await db('requests').max({ id: 'id' }).first();
  let nextId = Number(maxRow?.id ?? 0) + 1;
  const lastId = nextId + opts.count - 1;

  // knex writes a multi-row insert on SQLite as a compound SELECT, limited to 500 terms.
  const perInsert = isMysql(db) ? batch * 10 : 400;
  const writeBatch = async (rows: Rows) => {
    await db.transaction(async (trx) => {
      if (isMysql(db)) {
        // Fresh ids, rows that reference them: no check can fail; skipping them halves the time of a million.
        await trx.raw('SET SESSION foreign_key_checks = 0, unique_checks = 0');
      }
      for (const [table, list] of [['requests', rows.requests], ['request_personal', rows.personal], ['request_name_words', rows.words], ['events', rows.events], ['messages', rows.messages]] as const) {
        for (let i = 0; i < list.length; i += perInsert) {
          await trx(table).insert(list.slice(i, i + perInsert));
        }
      }
      // Their deadlines, as the application writes them (src/db/deadlines.ts).
      const ids = rows.requests.map((r) => Number(r.id));
      await refreshDeadlines(trx, (q) => q.whereBetween('id', [Math.min(...ids), Math.max(...ids)]).whereIn('status', OPEN_STATUSES));
      if (isMysql(db)) {
        // The pooled connection serves other queries next.
        await trx.raw('SET SESSION foreign_key_checks = 1, unique_checks = 1');
      }
    });
  };
  // Building a batch is synchronous and quick; writing it overlaps with building the next.
  let pending: Promise<void>[] = [];
  while (nextId <= lastId) {
    const rows: Rows = { requests: [], personal: [], words: [], events: [], messages: [] };
    for (const end = Math.min(lastId, nextId + batch - 1); nextId <= end; nextId += 1) {
      requestRows(nextId, opts.mix, formTypes, now, rnd, rows, spread);
    }
    pending.push(writeBatch(rows));
    if (pending.length >= 2) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return (performance.now() - started) / 1000;
}
