import fr from './locales/fr.json';

// Only French for now; a second locale is a second JSON file of the same shape.
type Messages = typeof fr;
const messages: Messages = fr;

/** `t('errors.ALREADY_TAKEN', { assignee: 'A. Martin' })`; an unknown key prints itself. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') {
    return key;
  }
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}
