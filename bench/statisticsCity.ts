// The municipality of the statistics and exports bench: the demo's 3 services and 6 form
// types, plus 17 services of 3 form types each (20 services, 60 form types, as the issue
// describes a large city), each service with its own group, and one agent of them all.
import { createAgent } from '../src/admin';
import type { Db } from '../src/db/connection';
import { DEFAULT_DELAYS, insertFormType } from '../src/db/formTypes';
import { insertService } from '../src/db/services';
import { COMMAND_LINE } from '../src/policies';

const MORE_SERVICES = [
  'Affaires scolaires', 'Cimetières', 'Élections', 'Espaces verts', 'Logement', 'Petite enfance', 'Police municipale',
  'Sports', 'Culture', 'Action sociale', 'Eau et assainissement', 'Déchets', 'Stationnement', 'Marchés et foires',
  'Vie associative', 'Funéraire', 'Santé publique',
];
const FORM_KINDS = ['Demande d’inscription', 'Demande d’autorisation', 'Réclamation'];

const slugOf = (name: string) => name.normalize('NFD').replace(/[\u0300-\u036f’]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Adds the 17 services and their 51 form types to the demo's; returns every service's slug. */
export async function seedCity(db: Db): Promise<string[]> {
  for (const name of MORE_SERVICES) {
    const serviceId = await insertService(db, { slug: slugOf(name), name });
    for (const kind of FORM_KINDS) {
      await insertFormType(db, { slug: slugOf(`${kind} ${name}`), title: `${kind} (${name.toLowerCase()})`, serviceId, delays: DEFAULT_DELAYS });
    }
  }
  const rows: { slug: string }[] = await db('services').orderBy('id').select('slug');
  return rows.map((r) => r.slug);
}

/** An agent of every service (hence of every service's group), who signs in with a password. */
export async function cityAgent(db: Db, code: string, password: string, services: string[]): Promise<number> {
  return createAgent(db, COMMAND_LINE, { code, name: 'Banc d’essai', email: `${code}@mairie.example`, services, admin: false, password });
}
