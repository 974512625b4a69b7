// Citizens' files (fiches usager): kept by the town hall for the people who come to the
// counter or call, apart from any request. A request linked to a file stays linked after
// its purge, as the anonymous stub: the file then shows that it existed and how it ended.
import { searchable } from '../search/normalize';
import type { Db } from './connection';

export interface CitizenRow {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  national_number: string | null;
  address: string | null;
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

export async function createCitizen(db: Db, c: CitizenProps, agentId: number | null): Promise<number> {
  const [id] = await db('citizens').insert({
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
  return Number(id);
}

export async function findCitizen(db: Db, id: number): Promise<CitizenRow | undefined> {
  return db('citizens').where({ id }).first();
}

/** By name (accents and case ignored), e-mail, phone or national number, from one search box. */
export async function searchCitizens(db: Db, query: string, limit = 50): Promise<CitizenRow[]> {
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
    .select('r.reference', 'f.title as form_type_title', 'r.service_id', 'r.status', 'r.channel', 'r.closing_code', 'c.label as closing_label', 'r.created_at', 'r.closed_at', 'r.purged_at');
}
