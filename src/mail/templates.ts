import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { EmailKind } from '../db/emails';
import type { Db } from '../db/connection';
import { findTemplateOverride } from '../db/emailTemplates';
import { t } from '../i18n';

// Each e-mail kind is one file views/emails/<kind>.hbs: a first line "Objet : …", then
// the plain-text body. The HTML part is the same text, escaped, in views/emails/layout.html.hbs.
// An administrator may override a kind's subject and body (table email_templates): the
// override is read first, on every e-mail, so every process sees a change at once.
const dir = path.resolve(__dirname, '../../views/emails');
const engine = Handlebars.create();

export interface TemplateSource {
  subject: string;
  body: string;
}

interface Compiled {
  subject: Handlebars.TemplateDelegate;
  body: Handlebars.TemplateDelegate;
}

/**
 * The names administrators write in templates — French, as they are — for the values the
 * senders give (whose keys are the code's, in English). This table is the one place the two
 * meet: the editor lists, the validator accepts and the renderer fills only the French names.
 * (Templates stored before the names were French are rewritten by the migration
 * 20261130200000_french_placeholders, rather than the old names living on as hidden aliases.)
 */
export const PLACEHOLDER_NAMES = {
  reference: 'reference',
  formTitle: 'demarche',
  serviceName: 'service',
  submittedAt: 'dateDepot',
  requestUrl: 'lienDemande',
  municipality: 'mairie',
  citizenName: 'nomUsager',
  trackingCode: 'codeSuivi',
  trackingUrl: 'lienSuivi',
  agentName: 'nomAgent',
  assigneeName: 'nomTitulaire',
  agentCode: 'codeAgent',
  actorName: 'nomAuteur',
  closingLabel: 'decision',
  deletionDate: 'dateSuppression',
  inProgressSince: 'enCoursDepuis',
  link: 'lien',
  validity: 'validite',
  count: 'nombre',
  requests: 'demandes',
  listUrl: 'lienListe',
  replyUrl: 'lienReponse',
  message: 'message',
  resumed: 'reprise',
} as const;
type ContextKey = keyof typeof PLACEHOLDER_NAMES;

/** Turns a sender's context into the template's: French names, in the items of a list too ({{#each demandes}}{{demarche}}). */
function frenchContext(context: Record<string, unknown>): Record<string, unknown> {
  const named = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(named);
    if (typeof value === 'object' && value !== null) return frenchContext(value as Record<string, unknown>);
    return value;
  };
  return Object.fromEntries(Object.entries(context)
    .filter(([key]) => Object.hasOwn(PLACEHOLDER_NAMES, key))
    .map(([key, value]) => [PLACEHOLDER_NAMES[key as ContextKey], named(value)]));
}

const requestFields: ContextKey[] = ['reference', 'formTitle', 'serviceName', 'submittedAt', 'requestUrl', 'municipality'];
const agentFields: ContextKey[] = ['agentName', ...requestFields];
const accountFields: ContextKey[] = ['agentName', 'agentCode', 'link', 'validity', 'municipality'];
/** What an item of {{#each demandes}} holds (a split's parts also their tracking code, link and message). */
const itemFields: ContextKey[] = ['reference', 'formTitle', 'trackingCode', 'trackingUrl', 'message'];

/** What each kind's template may print (the context its sender gives), by the code's names. */
const CONTEXT_KEYS: Record<EmailKind, ContextKey[]> = {
  RECEIPT: ['citizenName', 'trackingCode', 'trackingUrl', ...requestFields],
  NEW_REQUEST: agentFields,
  NEW_REQUESTS: ['agentName', 'count', 'requests', 'listUrl', 'municipality'],
  ACKNOWLEDGEMENT: ['citizenName', ...agentFields],
  CLOSING: ['citizenName', 'closingLabel', ...agentFields],
  REMINDER_UNPROCESSED: ['deletionDate', ...agentFields],
  DELETION_WARNING: ['deletionDate', ...agentFields],
  DELETION_NOTICE: agentFields,
  REMINDER_IN_PROGRESS: ['inProgressSince', ...agentFields],
  HOLD_ENDED: agentFields,
  CALLBACK_DUE: agentFields,
  REASSIGNED: ['actorName', ...agentFields],
  REMINDER_ABSENT: ['assigneeName', 'inProgressSince', ...agentFields],
  CONSULTATION_REMINDER: agentFields,
  CONSULTATION_ANSWERED: agentFields,
  ACTIVATION: accountFields,
  PASSWORD_RESET: accountFields,
  DIGEST: ['agentName', 'count', 'requests', 'listUrl', 'municipality'],
  MESSAGE: ['citizenName', 'message', 'replyUrl', 'trackingUrl', 'agentName', ...requestFields],
  CITIZEN_REPLY: ['agentName', 'resumed', ...requestFields],
  // A split, to the citizen: the original's reference and message, and its two parts in {{#each demandes}}.
  SPLIT: ['citizenName', 'agentName', 'message', 'requests', ...requestFields],
  MERGED: ['citizenName', 'trackingCode', 'trackingUrl', 'requests', 'agentName', ...requestFields],
};

/** The placeholders each kind's template may print, as administrators write them. */
export const PLACEHOLDERS = Object.fromEntries(
  Object.entries(CONTEXT_KEYS).map(([kind, keys]) => [kind, keys.map((key) => PLACEHOLDER_NAMES[key])]),
) as Record<EmailKind, string[]>;

export const EMAIL_KINDS = Object.keys(PLACEHOLDERS) as EmailKind[];

export const isEmailKind = (value: string): value is EmailKind => Object.hasOwn(PLACEHOLDERS, value);

/** Sample values for the preview of a template before it is saved (the code's names, as a sender gives them). */
export const SAMPLE_CONTEXT: Partial<Record<ContextKey, unknown>> = {
  reference: 'DEM-2026-000123',
  trackingCode: 'K7P2-XM4Q',
  formTitle: "Demande d'acte de naissance",
  serviceName: 'État civil',
  citizenName: 'Jeanne Dupont',
  agentName: 'Anne Martin',
  assigneeName: 'Claire Petit',
  agentCode: 'amartin',
  actorName: 'Bruno Durand',
  closingLabel: 'Traitée',
  submittedAt: '3 mars 2026 à 09:15',
  inProgressSince: '4 mars 2026 à 10:30',
  deletionDate: '2 avril 2026 à 09:15',
  requestUrl: 'https://guichet.mairie.example/demandes/DEM-2026-000123',
  municipality: 'Mairie de Guichet-sur-Mer',
  link: 'https://guichet.mairie.example/activation/exemple',
  validity: '72 heures',
  count: 2,
  requests: [
    { reference: 'DEM-2026-000123', formTitle: "Demande d'acte de naissance", trackingCode: 'K7P2X-M4Q9R', trackingUrl: 'https://guichet.mairie.example/suivi?code=K7P2X-M4Q9R', message: "L'acte de naissance de votre fils." },
    { reference: 'DEM-2026-000124', formTitle: "Demande d'acte de mariage", trackingCode: 'B3C4D-5E6F7', trackingUrl: 'https://guichet.mairie.example/suivi?code=B3C4D-5E6F7', message: "L'acte de naissance de votre fille." },
  ],
  listUrl: 'https://guichet.mairie.example/demandes/non-traitees',
  trackingUrl: 'https://guichet.mairie.example/suivi?code=K7P2-XM4Q',
  replyUrl: 'https://guichet.mairie.example/suivi/K7P2-XM4Q/repondre?jeton=exemple',
  message: 'Bonjour, pouvez-vous nous envoyer une copie de votre livret de famille ?',
};

const fileCache = new Map<EmailKind, TemplateSource>();

/** The template shipped with Guichet for a kind, as an administrator would edit it. */
export function fileTemplate(kind: EmailKind): TemplateSource {
  const hit = fileCache.get(kind);
  if (hit) {
    return hit;
  }
  const source = fs.readFileSync(path.join(dir, `${kind}.hbs`), 'utf8');
  const [first, ...rest] = source.split('\n');
  const template = { subject: first.replace(/^Objet\s*:\s*/, '').trim(), body: rest.join('\n').replace(/^\n+/, '') };
  fileCache.set(kind, template);
  return template;
}

const compiledCache = new Map<string, Compiled>();

function compile(source: TemplateSource): Compiled {
  const key = `${source.subject}\u0000${source.body}`;
  const hit = compiledCache.get(key);
  if (hit) {
    return hit;
  }
  const compiled = {
    subject: engine.compile(source.subject, { noEscape: true, strict: false }),
    body: engine.compile(source.body, { noEscape: true }),
  };
  if (compiledCache.size > 200) {
    compiledCache.clear();
  }
  compiledCache.set(key, compiled);
  return compiled;
}

const layout = engine.compile(fs.readFileSync(path.join(dir, 'layout.html.hbs'), 'utf8'));

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function htmlOf(text: string): string {
  const paragraphs = text.trim().split(/\n{2,}/).map((p) => p.split('\n').map((l) => Handlebars.escapeExpression(l)).join('<br>'));
  return layout({ paragraphs });
}

/** Renders a template source; throws when its Handlebars is invalid. */
export function renderSource(source: TemplateSource, context: Record<string, unknown>): RenderedEmail {
  const template = compile(source);
  const named = frenchContext(context);
  const subject = template.subject(named).replace(/\s+/g, ' ').trim();
  const text = template.body(named).trim() + '\n';
  return { subject, text, html: htmlOf(text) };
}

/**
 * Where a template does not parse or render, in French: Handlebars says it in English
 * (« Parse error on line 2 … Expecting 'ID' »), of which only the line is kept.
 */
function syntaxProblem(source: TemplateSource): string | null {
  for (const part of ['subject', 'body'] as const) {
    try {
      Handlebars.parse(source[part]);
    } catch (err) {
      const line = /on line (\d+)/.exec(String((err as Error).message))?.[1] ?? '1';
      return t(`ui.admin.emails.problems.syntax.${part}`, { line });
    }
  }
  try {
    renderSource(source, SAMPLE_CONTEXT);
  } catch {
    return t('ui.admin.emails.problems.syntax.render');
  }
  return null;
}

/**
 * Why a template an administrator wrote cannot be saved, in French, or null when it can:
 * it must parse, render with sample data, and use only its kind's placeholders.
 */
export function templateProblem(kind: EmailKind, source: TemplateSource): string | null {
  if (!source.subject.trim()) {
    return t('ui.admin.emails.problems.subjectRequired');
  }
  if (!source.body.trim()) {
    return t('ui.admin.emails.problems.bodyRequired');
  }
  if (/[\r\n]/.test(source.subject)) {
    return t('ui.admin.emails.problems.subjectOneLine');
  }
  const syntax = syntaxProblem(source);
  if (syntax) {
    return syntax;
  }
  const allowed = new Set([...PLACEHOLDERS[kind], ...itemFields.map((key) => PLACEHOLDER_NAMES[key]), 'this', 'else']);
  const used = [...`${source.subject}\n${source.body}`.matchAll(/\{\{\{?\s*[#/^]?\s*(?:each\s+|if\s+|unless\s+|with\s+)?([A-Za-z_][\w.]*)/g)].map((m) => m[1]);
  const unknown = [...new Set(used.filter((name) => !['each', 'if', 'unless', 'with'].includes(name) && !allowed.has(name.split('.')[0])))];
  if (unknown.length > 0) {
    const braced = (names: string[]) => names.map((n) => `{{${n}}}`).join(', ');
    return t('ui.admin.emails.problems.unknownPlaceholder', { unknown: braced(unknown), allowed: braced(PLACEHOLDERS[kind]) });
  }
  return null;
}

/** The shipped template only (tests, and callers without a database). */
export function renderEmail(kind: EmailKind, context: Record<string, unknown>): RenderedEmail {
  return renderSource(fileTemplate(kind), context);
}

/** The template in force for a kind: the administrators' override, else the shipped file. */
export async function templateInForce(db: Db, kind: EmailKind): Promise<TemplateSource & { overridden: boolean }> {
  const override = await findTemplateOverride(db, kind);
  return override ? { subject: override.subject, body: override.body, overridden: true } : { ...fileTemplate(kind), overridden: false };
}

export async function renderEmailFor(db: Db, kind: EmailKind, context: Record<string, unknown>): Promise<RenderedEmail> {
  return renderSource(await templateInForce(db, kind), context);
}
