// The demo municipality's online forms, seeded with the demo on the first `npm start`.
import type { Db } from '../db/connection';
import { findFormType, updateFormPresentation } from '../db/formTypes';
import { saveFormVersion } from '../db/formVersions';
import type { FieldDefinition } from '../forms/fields';

const FORMS: Record<string, { description: string; fields: FieldDefinition[] }> = {
  'acte-naissance': {
    description: 'Copie intégrale ou extrait d’un acte de naissance dressé dans la commune.',
    fields: [
      { key: 'date-naissance', label: 'Date de naissance', type: 'date', required: true, period: 'past' },
      { key: 'lieu', label: 'Commune de naissance', type: 'text', required: true },
      { key: 'motif', label: 'Motif de la demande', type: 'choice', required: true, options: ['Passeport ou carte d’identité', 'Mariage', 'Autre'] },
      { key: 'documents', label: 'Documents souhaités', type: 'checkboxes', required: true, options: ['Copie intégrale', 'Extrait avec filiation', 'Extrait sans filiation'] },
      { key: 'identite', label: 'Pièce d’identité', type: 'file', required: false, help: 'Facultative si vous demandez votre propre acte.' },
    ],
  },
  'signalement-voirie': {
    description: 'Nid de poule, éclairage en panne, dépôt sauvage : signalez-le aux services techniques.',
    fields: [
      { key: 'nature', label: 'Nature du problème', type: 'choice', required: true, options: ['Chaussée ou trottoir abîmé', 'Éclairage public', 'Propreté, dépôt sauvage', 'Autre'] },
      { key: 'lieu', label: 'Lieu', type: 'address', required: true },
      { key: 'description', label: 'Description', type: 'textarea', required: true, maxLength: 2000 },
      { key: 'photo', label: 'Photo', type: 'file', required: false },
    ],
  },
  'declaration-travaux': {
    description: 'Travaux qui ne nécessitent pas de permis de construire : clôture, ravalement, abri de jardin…',
    fields: [
      { key: 'terrain', label: 'Adresse du terrain', type: 'address', required: true },
      { key: 'travaux', label: 'Nature des travaux', type: 'textarea', required: true },
      { key: 'debut', label: 'Date de début prévue', type: 'date', required: false, period: 'future' },
      { key: 'plan', label: 'Plan de situation et plan de masse', type: 'file', required: true, help: 'En PDF de préférence.' },
    ],
  },
};

export async function seedDemoForms(db: Db): Promise<void> {
  for (const [slug, form] of Object.entries(FORMS)) {
    const formType = (await findFormType(db, slug))!;
    await updateFormPresentation(db, formType.id, { description: form.description });
    await saveFormVersion(db, formType.id, form.fields, null);
  }
}
