// The checks that nothing personal outlives a purge (tests/purge.test.ts, and the requests a
// split makes): distinctive strings searched in every table and in decoded workflow histories.

/** The tables where personal data could hide. */
export const TABLES = [
  'services', 'form_types', 'agents', 'agent_services', 'api_tokens', 'closing_codes', 'event_types', 'requests',
  'request_personal', 'request_name_words', 'comments', 'events', 'emails', 'email_contents', 'sessions', 'callbacks', 'wrap_up_codes',
];

/** Which of the secrets `text` contains. */
export function leaksIn(secrets: Record<string, string>, text: string): string[] {
  return Object.values(secrets).filter((s) => text.includes(s));
}

/** JSON of a workflow history with every payload decoded, so that its contents can be searched. */
export function readable(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (v instanceof Uint8Array) {
      return Buffer.from(v).toString('utf8');
    }
    // Payloads come base64-encoded in the fetched history.
    return key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v;
  });
}
