import type { Agent } from '../db/agents';
import { takeUpdate } from '../../workflows/definitions';
import { prepareCitizenEmail, type CitizenEmailChoice } from './citizenEmail';
import { loadForAgent, runUpdate, type Ctx } from './context';

/** Prendre en compte: the agent takes the request (EN_COURS, assigned to them), optionally acknowledging it to the citizen. */
export async function take(ctx: Ctx, agent: Agent, reference: string, props: CitizenEmailChoice) {
  const request = await loadForAgent(ctx, agent, reference);
  const email = await prepareCitizenEmail(ctx, request, 'ACKNOWLEDGEMENT', agent, props);
  try {
    return await runUpdate(ctx, request, takeUpdate, { agentId: agent.id, emailId: email.emailId });
  } catch (err) {
    await email.discard();
    throw err;
  }
}
