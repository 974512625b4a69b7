// The demo municipality, seeded on the first `npm start` of the embedded default only.
import { createAgent, createAgentToken } from '../admin';
import { createScopedKey } from '../partners/keys';
import type { Ctx } from '../commands/context';
import { submit } from '../commands/submit';
import type { Db } from '../db/connection';
import { DEFAULT_DELAYS, insertFormType } from '../db/formTypes';
import { hasServices, insertService } from '../db/services';
import { COMMAND_LINE } from '../policies';
import { demoAnswers } from './demoForms';

export const DEMO_PASSWORD = 'guichet-demo';
export const DEMO_PARTNER_KEY = 'gpk_demo_partenaire';
export const DEMO_AGENT_TOKEN = 'gat_demo_amartin';

const services = [
  { slug: 'etat-civil', name: 'État civil' },
  { slug: 'urbanisme', name: 'Urbanisme' },
  { slug: 'voirie', name: 'Voirie et propreté' },
];

const formTypes = [
  { slug: 'acte-naissance', title: "Demande d'acte de naissance", service: 'etat-civil' },
  { slug: 'acte-mariage', title: "Demande d'acte de mariage", service: 'etat-civil' },
  { slug: 'declaration-travaux', title: 'Déclaration préalable de travaux', service: 'urbanisme' },
  { slug: 'certificat-urbanisme', title: "Demande de certificat d'urbanisme", service: 'urbanisme' },
  // A hazard on the road is dealt with first: its reports are filed « haute ».
  { slug: 'signalement-voirie', title: "Signalement d'un problème de voirie", service: 'voirie', defaultPriority: 1 },
  { slug: 'occupation-domaine-public', title: 'Occupation du domaine public', service: 'voirie' },
];

export const DEMO_AGENTS = [
  { code: 'admin', name: 'Claire Admin', services: ['etat-civil', 'urbanisme', 'voirie'], admin: true },
  { code: 'amartin', name: 'Anne Martin', services: ['etat-civil'], admin: false },
  { code: 'bdurand', name: 'Bruno Durand', services: ['etat-civil', 'urbanisme'], admin: false },
  { code: 'cpetit', name: 'Chloé Petit', services: ['urbanisme'], admin: false },
  { code: 'dleroy', name: 'David Leroy', services: ['voirie'], admin: false },
];

export async function isSeeded(db: Db): Promise<boolean> {
  return hasServices(db);
}

/** Services, form types, agents and the partner key, as the operator would create them. */
export async function seedReferenceData(db: Db): Promise<void> {
  const ids = new Map<string, number>();
  for (const s of services) {
    ids.set(s.slug, await insertService(db, s));
  }
  for (const f of formTypes) {
    await insertFormType(db, { slug: f.slug, title: f.title, serviceId: ids.get(f.service)!, delays: DEFAULT_DELAYS, defaultPriority: f.defaultPriority });
  }
  for (const agent of DEMO_AGENTS) {
    await createAgent(db, COMMAND_LINE, { ...agent, email: `${agent.code}@mairie.example`, password: DEMO_PASSWORD });
  }
  // The demo key may file every demo form type; form types added later are not granted to it.
  await createScopedKey(db, 'Portail citoyen (démo)', formTypes.map((f) => f.slug), DEMO_PARTNER_KEY);
  await createAgentToken(db, COMMAND_LINE, 'amartin', DEMO_AGENT_TOKEN);
}

/** A few requests to work on, filed through the same path as a partner's, once the forms have their fields (seedDemoForms). */
export async function seedDemoRequests(ctx: Ctx): Promise<void> {
  const citizens = [
    { firstName: 'Léa', lastName: 'Moreau', email: 'lea.moreau@example.org', phone: '06 12 34 56 78', address: '12 rue des Lilas\n44000 Nantes' },
    { firstName: 'Hugo', lastName: 'Lefèvre', email: 'hugo.lefevre@example.org', address: '3 place de la Mairie\n44000 Nantes' },
    { firstName: 'Inès', lastName: 'Garnier', phone: '02 40 00 00 00', address: '8 impasse du Port\n44000 Nantes' },
  ];
  let i = 0;
  for (const f of formTypes) {
    await submit(ctx, {
      formType: f.slug,
      citizen: citizens[i % citizens.length],
      answers: demoAnswers(f.slug),
    });
    i += 1;
  }
}
