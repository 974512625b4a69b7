// Administration operations shared by the command line and the demo seed.
import { agentCodeTaken, insertAgent } from './db/agentAccounts';
import { findAgentRowByCode } from './db/agents';
import type { Db } from './db/connection';
import { servicesWithSlugs } from './db/services';
import { createToken } from './db/tokens';
import { hashPassword } from './passwords';
import { authorize, type Actor } from './policies';

export class AdminError extends Error {}

export async function createAgent(
  db: Db,
  actor: Actor,
  props: { code: string; name: string; email: string; services: string[]; admin: boolean; password: string | null },
): Promise<number> {
  authorize(actor, 'administer');
  if (!/^[a-z0-9._-]{2,64}$/i.test(props.code)) {
    throw new AdminError(`code agent invalide « ${props.code} » : 2 à 64 lettres, chiffres, points, tirets`);
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
    throw new AdminError(`adresse électronique invalide « ${props.email} »`);
  }
  if (props.password !== null && props.password.length < 8) {
    throw new AdminError('le mot de passe doit faire au moins 8 caractères');
  }
  if (await agentCodeTaken(db, props.code)) {
    throw new AdminError(`l'agent « ${props.code} » existe déjà`);
  }
  const services = await servicesWithSlugs(db, props.services);
  const unknown = props.services.filter((s) => !services.some((row) => row.slug === s));
  if (unknown.length > 0) {
    throw new AdminError(`service inconnu : ${unknown.join(', ')}`);
  }
  const passwordHash = props.password === null ? null : await hashPassword(props.password);
  return insertAgent(db, { code: props.code, name: props.name, email: props.email, passwordHash, isAdmin: props.admin }, services.map((s) => s.id));
}

export async function createAgentToken(db: Db, actor: Actor, code: string, secret?: string): Promise<string> {
  authorize(actor, 'administer');
  const agent = await findAgentRowByCode(db, code);
  if (!agent) {
    throw new AdminError(`agent inconnu « ${code} »`);
  }
  return (await createToken(db, 'agent', `jeton de ${agent.name}`, agent.id, secret)).secret;
}
