// Administration operations shared by the command line and the demo seed.
import { agentCodeTaken, insertAgent } from './db/agentAccounts';
import { findAgentRowByCode } from './db/agents';
import type { Db } from './db/connection';
import { servicesWithSlugs } from './db/services';
import { createToken } from './db/tokens';
import { hashPassword } from './passwords';
import { authorize, type Actor } from './policies';
import { t } from './i18n';

export class AdminError extends Error {}

export async function createAgent(
  db: Db,
  actor: Actor,
  props: { code: string; name: string; email: string; services: string[]; admin: boolean; password: string | null },
): Promise<number> {
  authorize(actor, 'administer');
  if (!/^[a-z0-9._-]{2,64}$/i.test(props.code)) {
    throw new AdminError(t('cli.agent.invalidCode', { code: props.code }));
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
    throw new AdminError(t('cli.agent.invalidEmail', { email: props.email }));
  }
  if (props.password !== null && props.password.length < 8) {
    throw new AdminError(t('cli.agent.shortPassword'));
  }
  if (await agentCodeTaken(db, props.code)) {
    throw new AdminError(t('cli.agent.exists', { code: props.code }));
  }
  const services = await servicesWithSlugs(db, props.services);
  const unknown = props.services.filter((s) => !services.some((row) => row.slug === s));
  if (unknown.length > 0) {
    throw new AdminError(t('cli.agent.unknownService', { services: unknown.join(', ') }));
  }
  const passwordHash = props.password === null ? null : await hashPassword(props.password);
  return insertAgent(db, { code: props.code, name: props.name, email: props.email, passwordHash, isAdmin: props.admin }, services.map((s) => s.id));
}

export async function createAgentToken(db: Db, actor: Actor, code: string, secret?: string): Promise<string> {
  authorize(actor, 'administer');
  const agent = await findAgentRowByCode(db, code);
  if (!agent) {
    throw new AdminError(t('cli.agent.unknown', { code }));
  }
  return (await createToken(db, 'agent', t('cli.token.name', { name: agent.name }), agent.id, secret)).secret;
}
