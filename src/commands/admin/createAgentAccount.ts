import { AdminError, createAgent } from '../../admin';
import { sendAccountLink } from '../../accounts/links';
import { findAgentRow } from '../../db/agentAccounts';
import type { Actor } from '../../policies';
import { CommandError } from '../errors';
import type { Ctx } from '../context';

export interface NewAgent {
  code: string;
  name: string;
  email: string;
  /** service slugs */
  services: string[];
  admin: boolean;
}

/** Creates an agent without a password and e-mails the activation link in which they choose one. */
export async function createAgentAccount(ctx: Pick<Ctx, 'db' | 'config'>, actor: Actor, props: NewAgent): Promise<number> {
  let id: number;
  try {
    id = await createAgent(ctx.db, actor, { ...props, code: props.code.trim(), name: props.name.trim(), email: props.email.trim(), password: null });
  } catch (err) {
    if (err instanceof AdminError) {
      throw new CommandError(400, 'INVALID_INPUT', err.message, 'code');
    }
    throw err;
  }
  await sendAccountLink(ctx.db, ctx.config, (await findAgentRow(ctx.db, id))!, 'ACTIVATION');
  return id;
}
