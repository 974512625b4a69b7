import type { Agent } from '../db/agents';
import { takeUpdate } from '../../workflows/definitions';
import { prepareCitizenEmail } from './citizenEmail';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx } from './context';
import type { TakeProps } from './schemas';

/** Prendre en compte: the agent takes the request (EN_COURS, assigned to them), optionally acknowledging it to the citizen. */
export async function take(ctx: Ctx, agent: Agent, reference: string, props: TakeProps) {
  const request = await loadForAgent(ctx, agent, reference);
  await refuseByStatus(ctx, request, 'take');
  const email = await prepareCitizenEmail(ctx, request, 'ACKNOWLEDGEMENT', agent, props);
  // The e-mail is removed only if the workflow certainly refused it (see runUpdate).
  return runUpdate(ctx, request, takeUpdate, { agentId: agent.id, emailId: email.emailId }, email.discard);
}
