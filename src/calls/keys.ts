// Telephony connectors' keys: created by an administrator (page or command line), shown
// once, revoked; a key reports calls and reads nothing. Agents' lines (extensions) let a
// connector name the line instead of the agent.
import { CommandError } from '../commands/errors';
import type { Db } from '../db/connection';
import { findAgentRowByCode } from '../db/agents';
import { setPhoneLine } from '../db/phoneCalls';
import { revokeKey } from '../db/partnerKeys';
import { forgetTelephonyEnabled, insertTelephonyKey, telephonyKeys, type TelephonyKeyRow } from '../db/telephonyKeys';
import { isUniqueViolation } from '../db/idempotency';
import { t } from '../i18n';

const refused = (code: string, field: string, params: Record<string, string> = {}) => new CommandError(400, code, t(`errors.${code}`, params), field);

/** Creates a key; its secret (gtk_…) is returned once and stored hashed. */
export async function createTelephonyKey(db: Db, name: string, secret?: string): Promise<{ id: number; secret: string }> {
  const trimmed = name.trim();
  if (!trimmed) throw refused('PARTNER_NAME_REQUIRED', 'name');
  if (trimmed.length > 200) throw refused('PARTNER_NAME_TOO_LONG', 'name');
  return insertTelephonyKey(db, trimmed, secret);
}

export async function revokeTelephonyKey(db: Db, id: number): Promise<TelephonyKeyRow> {
  const [key] = await telephonyKeys(db, id);
  if (!key) {
    throw new CommandError(404, 'TELEPHONY_KEY_NOT_FOUND', t('errors.TELEPHONY_KEY_NOT_FOUND', { id: String(id) }));
  }
  if (key.revoked_at === null) {
    await revokeKey(db, id, Date.now());
    forgetTelephonyEnabled(db);
  }
  return (await telephonyKeys(db, id))[0];
}

/** Gives an agent a line (digits, *, #, +; 1 to 32), or takes it away (empty); a line is one agent's. */
export async function assignPhoneLine(db: Db, agentCode: string, line: string): Promise<void> {
  const agent = await findAgentRowByCode(db, agentCode.trim());
  if (!agent) throw refused('PHONE_LINE_UNKNOWN_AGENT', 'agent', { value: agentCode });
  const value = line.replace(/\s/g, '');
  if (value && !/^[0-9*#+]{1,32}$/.test(value)) throw refused('PHONE_LINE_INVALID', 'line');
  try {
    await setPhoneLine(db, Number(agent.id), value || null);
  } catch (err) {
    if (isUniqueViolation(err)) throw refused('PHONE_LINE_TAKEN', 'line', { value });
    throw err;
  }
}
