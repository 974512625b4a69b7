import type { Agent } from '../db/agents';
import { isChoosableClosingCode } from '../db/views';
import { closeUpdate } from '../../workflows/definitions';
import { prepareCitizenEmail } from './citizenEmail';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import { CommandError } from './errors';
import type { CloseProps } from './schemas';

/** Clôturer: CLOTUREE with a closing code, optionally telling the citizen; the workflow then purges personal data. */
export async function close(ctx: Ctx, agent: Agent, reference: string, props: CloseProps) {
  const request = await loadForAgent(ctx, agent, reference);
  if (!(await isChoosableClosingCode(ctx.db, props.closingCode))) {
    throw CommandError.of(400, 'UNKNOWN_CLOSING_CODE', { value: props.closingCode }, 'closingCode');
  }
  await refuseByStatus(ctx, request, 'close');
  const email = await prepareCitizenEmail(ctx, request, 'CLOSING', agent, props, props.closingCode);
  // The e-mail is removed only if the workflow certainly refused it (see runUpdate).
  return runUpdate(ctx, request, closeUpdate, { agentId: agent.id, closingCode: props.closingCode, emailId: email.emailId }, email.discard);
}
