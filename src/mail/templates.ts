import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { EmailKind } from '../activities/types';

// Each e-mail kind is one file views/emails/<kind>.hbs: a first line "Objet : …", then
// the plain-text body. The HTML part is the same text, escaped, in views/emails/layout.html.hbs.
const dir = path.resolve(__dirname, '../../views/emails');
const engine = Handlebars.create();
const cache = new Map<string, { subject: Handlebars.TemplateDelegate; body: Handlebars.TemplateDelegate }>();

function load(kind: EmailKind) {
  const hit = cache.get(kind);
  if (hit) {
    return hit;
  }
  const source = fs.readFileSync(path.join(dir, `${kind}.hbs`), 'utf8');
  const [first, ...rest] = source.split('\n');
  const subject = first.replace(/^Objet\s*:\s*/, '');
  const compiled = {
    subject: engine.compile(subject, { noEscape: true }),
    body: engine.compile(rest.join('\n').replace(/^\n+/, ''), { noEscape: true }),
  };
  cache.set(kind, compiled);
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

export function renderEmail(kind: EmailKind, context: Record<string, unknown>): RenderedEmail {
  const template = load(kind);
  const subject = template.subject(context).trim();
  const text = template.body(context).trim() + '\n';
  return { subject, text, html: htmlOf(text) };
}
