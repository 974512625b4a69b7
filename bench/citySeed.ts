// The reference data of a large city or a region for the million-request bench: 20
// services, 60 form types, a few agents per service, and two contact-centre groups that
// take some form types' requests in their queues — written through the application's own
// inserts (a service brings its group; an agent's services bring their groups).
import { hashPassword } from '../src/passwords';
import { insertAgent } from '../src/db/agentAccounts';
import type { Db } from '../src/db/connection';
import { DEFAULT_DELAYS, insertFormType } from '../src/db/formTypes';
import { insertGroup, setMember } from '../src/db/groups';
import { insertService } from '../src/db/services';

const SERVICES = [
  'État civil', 'Urbanisme', 'Voirie et propreté', 'Élections', 'Cimetières', 'Affaires scolaires', 'Petite enfance',
  'Sports', 'Culture', 'Action sociale', 'Logement', 'Environnement', 'Eau et assainissement', 'Stationnement',
  'Marchés et foires', 'Police municipale', 'Vie associative', 'Espaces verts', 'Archives', 'Fiscalité locale',
];
const KINDS = ['Demande de rendez-vous', 'Demande de document', 'Signalement'];

const slugOf = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export interface CityOptions {
  services: number;
  formTypesPerService: number;
  agentsPerService: number;
  /** the password of every agent (one hash, computed once) */
  password: string;
}

export interface City {
  serviceSlugs: string[];
  /** the contact-centre groups' ids */
  contactGroupIds: number[];
}

/** Services, their form types and agents; the first three services' first form types wait in the contact centre's queues. */
export async function seedCity(db: Db, opts: CityOptions): Promise<City> {
  const passwordHash = await hashPassword(opts.password);
  const contactGroupIds = [
    await insertGroup(db, { name: 'Accueil téléphonique', followsService: false }),
    await insertGroup(db, { name: 'Relation usagers', followsService: false }),
  ];
  const serviceSlugs: string[] = [];
  for (let s = 0; s < opts.services; s += 1) {
    const name = SERVICES[s % SERVICES.length] + (s >= SERVICES.length ? ` ${Math.floor(s / SERVICES.length) + 1}` : '');
    const slug = slugOf(name);
    const serviceId = await insertService(db, { slug, name });
    serviceSlugs.push(slug);
    for (let f = 0; f < opts.formTypesPerService; f += 1) {
      const kind = KINDS[f % KINDS.length];
      await insertFormType(db, {
        slug: `${slug}-${slugOf(kind)}${f >= KINDS.length ? `-${f}` : ''}`, title: `${kind} (${name})`, serviceId, delays: DEFAULT_DELAYS,
        ...(s < 3 && f === 0 ? { groupId: contactGroupIds[s % 2] } : {}),
      });
    }
    for (let a = 0; a < opts.agentsPerService; a += 1) {
      await insertAgent(db, { code: `${slug.slice(0, 40)}-${a + 1}`, name: `Agent ${a + 1} ${name}`, email: `${slug.slice(0, 40)}-${a + 1}@mairie.example`, passwordHash, isAdmin: false }, [serviceId]);
    }
  }
  for (const [i, groupId] of contactGroupIds.entries()) {
    for (let a = 0; a < 3; a += 1) {
      const id = await insertAgent(db, { code: `centre-${i + 1}-${a + 1}`, name: `Conseiller ${a + 1} du centre ${i + 1}`, email: `centre-${i + 1}-${a + 1}@mairie.example`, passwordHash, isAdmin: false }, []);
      await setMember(db, groupId, id);
    }
  }
  return { serviceSlugs, contactGroupIds };
}
