// Citizens' files (fiches usager): kept by the town hall for the people who come to the
// counter or call, apart from any request. A request linked to a file stays linked after
// its purge, as the anonymous stub: the file then shows that it existed and how it ended.
import crypto from 'node:crypto';
import type { Agent } from './agents';
import { searchable } from '../search/normalize';
import type { Knex } from 'knex';
import type { Db } from './connection';

export interface CitizenRow {
  id: number;
  /** What URLs and forms name the file by: random, unlike `id`. */
  public_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  national_number: string | null;
  address: string | null;
  created_by: number | null;
  created_at: number;
}

export interface CitizenProps {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  nationalNumber?: string | null;
  address?: string | null;
}

const digits = (s: string | null | undefined) => (s ? s.replace(/\D/g, '') : '');

/** 96 random bits: a file's URL cannot be guessed from another's. */
const newPublicId = () => crypto.randomBytes(12).toString('base64url');

/** Creates a file: its id (for the database) and public id (for URLs). */
export async function createCitizen(db: Db, c: CitizenProps, agentId: number | null): Promise<{ id: number; publicId: string }> {
  const publicId = newPublicId();
  const [id] = await db('citizens').insert({
    public_id: publicId,
    first_name: c.firstName,
    last_name: c.lastName,
    search_name: searchable(`${c.firstName} ${c.lastName}`),
    email: c.email?.toLowerCase() || null,
    phone: c.phone || null,
    phone_digits: digits(c.phone) || null,
    national_number: digits(c.nationalNumber) || null,
    address: c.address || null,
    created_by: agentId,
    created_at: Date.now(),
  });
  return { id: Number(id), publicId };
}

/**
 * Who sees a file: an administrator; the agent who created it; an agent with a request
 * of this citizen in one of their groups' queues. Nobody else, not even to learn it exists.
 */
export function visibleTo(agent: Agent) {
  return (q: Knex.QueryBuilder) => {
    if (agent.isAdmin) return;
    q.where((w) => {
      w.where('citizens.created_by', agent.id);
      if (agent.groupIds.length) {
        w.orWhereExists((sub) => sub.select(sub.client.raw('1')).from('requests as vr')
          .whereRaw('vr.citizen_id = citizens.id').whereIn('vr.group_id', agent.groupIds));
      }
    });
  };
}

/** The file of this public id, if the agent may see it (undefined too when it does not exist). */
export async function findCitizenFor(db: Db, publicId: string, agent: Agent): Promise<CitizenRow | undefined> {
  if (!/^[\w-]{1,32}$/.test(publicId)) return undefined;
  return db('citizens').where({ public_id: publicId }).modify(visibleTo(agent)).first();
}

/** The file a request belongs to, if the agent may see it. */
export async function citizenFileOf(db: Db, citizenId: number | null, agent: Agent): Promise<CitizenRow | undefined> {
  if (citizenId === null || citizenId === undefined) return undefined;
  return db('citizens').where({ id: citizenId }).modify(visibleTo(agent)).first();
}

/** By name (accents and case ignored), e-mail, phone or national number, from one search box: the files the agent may see. */
export async function searchCitizens(db: Db, query: string, agent: Agent, limit = 50): Promise<CitizenRow[]> {
  const q = query.trim();
  if (!q) return [];
  const n = digits(q);
  const words = searchable(q).split(' ').filter(Boolean);
  return db('citizens')
    .where((w) => {
      if (q.includes('@')) w.orWhere('email', q.toLowerCase());
      if (n.length >= 4) w.orWhere('phone_digits', 'like', `%${n}%`).orWhere('national_number', n);
      if (words.length && n.length < 4) w.orWhere((all) => words.forEach((word) => all.where('search_name', 'like', `%${word}%`)));
    })
    .modify(visibleTo(agent))
    .orderBy('last_name').orderBy('first_name').limit(limit);
}

/** The file a web request belongs to: the one with the same e-mail address, if exactly one has it. */
export async function citizenIdByEmail(db: Db, email: string | null | undefined): Promise<number | null> {
  if (!email) return null;
  const rows: { id: number }[] = await db('citizens').where({ email: email.toLowerCase() }).limit(2).select('id');
  return rows.length === 1 ? rows[0].id : null;
}

export interface CitizenRequestRow {
  reference: string;
  form_type_title: string;
  service_id: number;
  group_id: number | null;
  status: string;
  channel: string;
  closing_code: string | null;
  closing_label: string | null;
  created_at: number;
  closed_at: number | null;
  purged_at: number | null;
}

export async function requestsOfCitizen(db: Db, citizenId: number): Promise<CitizenRequestRow[]> {
  return db('requests as r')
    .join('form_types as f', 'f.id', 'r.form_type_id')
    .leftJoin('closing_codes as c', 'c.code', 'r.closing_code')
    .where('r.citizen_id', citizenId)
    .orderBy('r.created_at', 'desc')
    .select('r.reference', 'f.title as form_type_title', 'r.service_id', 'r.group_id', 'r.status', 'r.channel', 'r.closing_code', 'c.label as closing_label', 'r.created_at', 'r.closed_at', 'r.purged_at');
}
