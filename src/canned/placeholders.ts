// The placeholders of canned replies: the e-mail templates' French names (src/mail/templates.ts),
// those that mean something to a citizen about their own request. A reply is plain text in
// which `{{nom}}` is replaced by its value; no other Handlebars, so that what the agent sees
// in the textarea is exactly what the citizen will read.
import { PLACEHOLDER_NAMES } from '../mail/templates';

/** The values a reply may print, by the code's names (those of emailContext). */
const KEYS = ['reference', 'formTitle', 'serviceName', 'submittedAt', 'municipality', 'citizenName', 'trackingCode', 'trackingUrl', 'agentName', 'assigneeName', 'inProgressSince'] as const;

/** The placeholders as agents write them: {{nomUsager}}, {{reference}}… */
export const CANNED_PLACEHOLDERS: readonly string[] = KEYS.map((key) => PLACEHOLDER_NAMES[key]);

/** `{{ anything }}` but nested braces: whatever an agent may have meant as a placeholder. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The French-named values of a request's e-mail context, for the canned placeholders only. */
export function cannedValues(context: Record<string, unknown>): Map<string, string> {
  return new Map(KEYS.map((key) => [PLACEHOLDER_NAMES[key], String(context[key] ?? '').trim()]));
}

export interface Filled {
  text: string;
  /** the placeholders left as typed: unknown, or without a value for this request */
  unfilled: string[];
}

/** Fills what can be filled; what cannot stays `{{as typed}}`, to be seen and fixed before sending. */
export function fillPlaceholders(body: string, values: Map<string, string>): Filled {
  const text = body.replace(PLACEHOLDER, (whole, name: string) => values.get(name) || whole);
  return { text, unfilled: placeholdersIn(text) };
}

/** The placeholders still in a text, each once, as typed between the braces. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => `{{${m[1]}}}`))];
}

/** The placeholders of a reply that do not exist (misspelt, or an e-mail's that means nothing here). */
export function unknownPlaceholders(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !CANNED_PLACEHOLDERS.includes(name)).map((name) => `{{${name}}}`))];
}
