// The demo municipality's online forms, seeded with the demo on the first `npm start`,
// each with the answers of its demo request (they must fit its fields: the request page
// shows each answer under its field's label).
import type { Db } from '../db/connection';
import { findFormType, updateFormPresentation } from '../db/formTypes';
import { saveFormVersion } from '../db/formVersions';
import type { FieldDefinition } from '../forms/fields';

const FORMS: Record<string, { description: string; fields: FieldDefinition[]; example: Record<string, string | string[]> }> = {
  'acte-naissance': {
    description: 'Copie intégrale ou extrait d’un acte de naissance dressé dans la commune.',
    fields: [
      { key: 'date-naissance', label: 'Date de naissance', type: 'date', required: true, period: 'past' },
      { key: 'lieu', label: 'Commune de naissance', type: 'text', required: true },
      { key: 'motif', label: 'Motif de la demande', type: 'choice', required: true, options: ['Passeport ou carte d’identité', 'Mariage', 'Autre'] },
      { key: 'documents', label: 'Documents souhaités', type: 'checkboxes', required: true, options: ['Copie intégrale', 'Extrait avec filiation', 'Extrait sans filiation'] },
      { key: 'identite', label: 'Pièce d’identité', type: 'file', required: false, help: 'Facultative si vous demandez votre propre acte.' },
    ],
    example: { 'date-naissance': '1985-03-14', lieu: 'Nantes', motif: 'Passeport ou carte d’identité', documents: ['Extrait avec filiation'] },
  },
  'acte-mariage': {
    description: 'Copie intégrale ou extrait d’un acte de mariage célébré dans la commune.',
    fields: [
      { key: 'date-mariage', label: 'Date du mariage', type: 'date', required: true },
      { key: 'conjoint', label: 'Nom et prénom de l’autre époux', type: 'text', required: true },
      { key: 'documents', label: 'Documents souhaités', type: 'checkboxes', required: true, options: ['Copie intégrale', 'Extrait avec filiation', 'Extrait sans filiation'] },
    ],
    example: { 'date-mariage': '2012-06-16', conjoint: 'Moreau Paul', documents: ['Copie intégrale'] },
  },
  'certificat-urbanisme': {
    description: 'Savoir quelles règles d’urbanisme s’appliquent à un terrain, ou si un projet y est réalisable.',
    fields: [
      { key: 'terrain', label: 'Adresse du terrain', type: 'address', required: true },
      { key: 'type', label: 'Type de certificat', type: 'choice', required: true, options: ['Certificat d’information', 'Certificat opérationnel'] },
      { key: 'projet', label: 'Description du projet', type: 'textarea', required: false },
    ],
    example: { terrain: '5 chemin des Vignes\n44000 Nantes', type: 'Certificat opérationnel', projet: 'Construction d’une maison individuelle de plain-pied.' },
  },
  'occupation-domaine-public': {
    description: 'Benne, échafaudage, déménagement, terrasse : demandez l’autorisation d’occuper la voie publique.',
    fields: [
      { key: 'objet', label: 'Objet de l’occupation', type: 'choice', required: true, options: ['Benne ou échafaudage', 'Déménagement', 'Terrasse', 'Autre'] },
      { key: 'lieu', label: 'Lieu', type: 'address', required: true },
      { key: 'debut', label: 'Premier jour', type: 'date', required: true },
      { key: 'fin', label: 'Dernier jour', type: 'date', required: true },
    ],
    example: { objet: 'Déménagement', lieu: '8 impasse du Port\n44000 Nantes', debut: '2026-12-12', fin: '2026-12-12' },
  },
  'signalement-voirie': {
    description: 'Nid de poule, éclairage en panne, dépôt sauvage : signalez-le aux services techniques.',
    fields: [
      { key: 'nature', label: 'Nature du problème', type: 'choice', required: true, options: ['Chaussée ou trottoir abîmé', 'Éclairage public', 'Propreté, dépôt sauvage', 'Autre'] },
      { key: 'lieu', label: 'Lieu', type: 'address', required: true },
      { key: 'description', label: 'Description', type: 'textarea', required: true, maxLength: 2000 },
      { key: 'photo', label: 'Photo', type: 'file', required: false },
    ],
    example: { nature: 'Éclairage public', lieu: '3 place de la Mairie\n44000 Nantes', description: 'Le lampadaire devant la mairie ne s’allume plus depuis lundi.' },
  },
  'declaration-travaux': {
    description: 'Travaux qui ne nécessitent pas de permis de construire : clôture, ravalement, abri de jardin…',
    fields: [
      { key: 'terrain', label: 'Adresse du terrain', type: 'address', required: true },
      { key: 'travaux', label: 'Nature des travaux', type: 'textarea', required: true },
      { key: 'debut', label: 'Date de début prévue', type: 'date', required: false, period: 'future' },
      { key: 'plan', label: 'Plan de situation et plan de masse', type: 'file', required: true, help: 'En PDF de préférence.' },
    ],
    example: { terrain: '12 rue des Lilas\n44000 Nantes', travaux: 'Remplacement de la clôture sur rue (1,20 m, grillage vert).', debut: '2027-03-01' },
  },
};

/** The answers of a form's demo request, as a citizen would give them. */
export function demoAnswers(slug: string): Record<string, string | string[]> {
  return FORMS[slug]?.example ?? {};
}

export async function seedDemoForms(db: Db): Promise<void> {
  for (const [slug, form] of Object.entries(FORMS)) {
    const formType = (await findFormType(db, slug))!;
    await updateFormPresentation(db, formType.id, { description: form.description });
    await saveFormVersion(db, formType.id, form.fields, null);
  }
}
