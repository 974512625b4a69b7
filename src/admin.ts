// Administration operations shared by the command line and the demo seed.
import type { Db } from './db/connection';
import { createToken } from './db/tokens';
import { hashPassword } from './passwords';
import { t } from './i18n';

export class AdminError extends Error {}

export async function createAgent(
  db: Db,
  props: { code: string; name: string; email: string; services: string[]; admin: boolean; password: string | null },
): Promise<number> {
  if (!/^[a-z0-9._-]{2,64}$/i.test(props.code)) {
    throw new AdminError(t('cli.agent.invalidCode', { code: props.code }));
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
    throw new AdminError(t('cli.agent.invalidEmail', { email: props.email }));
  }
  if (props.password !== null && props.password.length < 8) {
    throw new AdminError(t('cli.agent.shortPassword'));
  }
  if (await db('agents').where({ code: props.code }).first('id')) {
    throw new AdminError(t('cli.agent.exists', { code: props.code }));
  }
  const services = await db('services').whereIn('slug', props.services).select('id', 'slug');
  const unknown = props.services.filter((s) => !services.some((row: { slug: string }) => row.slug === s));
  if (unknown.length > 0) {
    throw new AdminError(t('cli.agent.unknownService', { services: unknown.join(', ') }));
  }
  const passwordHash = props.password === null ? null : await hashPassword(props.password);
  return db.transaction(async (trx) => {
    const [id] = await trx('agents').insert({
      code: props.code,
      name: props.name,
      email: props.email,
      password_hash: passwordHash,
      is_admin: props.admin,
      active: true,
      created_at: Date.now(),
    });
    if (services.length > 0) {
      await trx('agent_services').insert(services.map((s: { id: number }) => ({ agent_id: id, service_id: s.id })));
    }
    return id;
  });
}

export async function createAgentToken(db: Db, code: string, secret?: string): Promise<string> {
  const agent = await db('agents').where({ code }).first('id', 'name');
  if (!agent) {
    throw new AdminError(t('cli.agent.unknown', { code }));
  }
  return (await createToken(db, 'agent', t('cli.token.name', { name: agent.name }), agent.id, secret)).secret;
}
