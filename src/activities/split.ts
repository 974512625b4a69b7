// The activities of a split (workflows/split.ts). Each may run again after a worker dies:
// the parts are written once (their ids on the split's row), the Updates carry an update
// id of the split's (Temporal answers a repeated one with the first outcome), the
// workflows of the parts are started once, the e-mail is recorded under the split's key.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { findAgentRow } from '../db/agents';
import { recordEmail } from '../db/emails';
import { delaysOf, findFormTypeById } from '../db/formTypes';
import { findPersonal, findRequestById, markWorkflowStarted, type RequestRow } from '../db/requests';
import { withdrawParts, writeParts } from '../db/splitParts';
import { clearOriginalMessage, findSplit, markSplitDone, partIdsOf, type SplitRow } from '../db/splits';
import { emailContext } from '../mail/context';
import { renderEmailFor } from '../mail/templates';
import { startOnce } from '../temporal/client';
import { assignUpdate, splitUpdate, workflowIdOf, type PriorityRank, type RequestState } from '../../workflows/definitions';
import { SPLIT_CLOSING_CODE, type Refusal } from '../../workflows/lifecycle';
import { requestWorkflow } from '../../workflows/request';
import type { ActivityDeps } from './deps';
import type { SplitActivities } from './types';

/** Runs an Update once under `updateId`; the refusal's code when its validator refused it, 'GONE' when the workflow has ended. */
async function updateOnce<Arg>(client: Client, reference: string, update: UpdateDefinition<RequestState, [Arg], string>, arg: Arg, updateId: string): Promise<'OK' | 'GONE' | Refusal['code']> {
  try {
    await client.workflow.getHandle(workflowIdOf(reference)).executeUpdate(update, { args: [arg], updateId });
    return 'OK';
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const refusal = err.cause.details?.[0] as Refusal | undefined;
      if (refusal?.code) {
        return refusal.code;
      }
    }
    if (err instanceof WorkflowNotFoundError) {
      return 'GONE';
    }
    throw err; // Temporal unreachable: retried
  }
}

export function splitActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>): SplitActivities {
  const load = async (splitId: number): Promise<SplitRow> => {
    const split = await findSplit(db, splitId);
    if (!split) {
      throw new Error(`scission ${splitId} introuvable`);
    }
    return split;
  };
  const requestOf = async (id: number): Promise<RequestRow> => {
    const request = await findRequestById(db, id);
    if (!request) {
      throw new Error(`demande ${id} introuvable`);
    }
    return request;
  };
  const partsOf = async (split: SplitRow): Promise<RequestRow[]> => Promise.all((partIdsOf(split) ?? []).map(requestOf));

  /** The original's workflow closes it (Update `split`): 'CLOSED', or the refusal's code. */
  const closeOriginal = async (splitId: number): Promise<string> => {
    const split = await load(splitId);
    const original = await requestOf(split.original_request_id);
    const outcome = await updateOnce(Context.current().client, original.reference, splitUpdate, { agentId: Number(split.agent_id), splitId }, `split-${splitId}`);
    if (outcome !== 'GONE') {
      return outcome === 'OK' ? 'CLOSED' : outcome;
    }
    // Ended, hence closed and purged: by this split (its Update took effect before a
    // crash), since no other split may hold the request, or by someone else before.
    return original.closing_code === SPLIT_CLOSING_CODE ? 'CLOSED' : 'ALREADY_CLOSED';
  };

  /** Starts a part's workflow (without receipt: the split e-mails the citizen) and assigns it to the agent who split. */
  const startPart = async (split: SplitRow, part: RequestRow): Promise<void> => {
    const formType = (await findFormTypeById(db, part.form_type_id))!;
    const client = Context.current().client;
    await startOnce(client, requestWorkflow, {
      workflowId: workflowIdOf(part.reference),
      taskQueue: config.taskQueue,
      args: [{
        requestId: part.id, reference: part.reference, submittedAt: Number(part.created_at), delays: delaysOf(formType),
        priority: Number(part.priority) as PriorityRank, groupId: part.group_id === null ? null : Number(part.group_id), announce: false,
      }],
    });
    await markWorkflowStarted(db, part.id);
    // Taken by the agent who split it (TAKEN, EN_COURS). Refused only when already theirs (a
    // retry) or when an agent moved faster on the new request: either way it is under way.
    await updateOnce(client, part.reference, assignUpdate, { agentId: Number(split.agent_id) }, `split-${split.id}-assign`);
  };

  return {
    async splitOriginal({ splitId }) {
      const parts = await writeParts(db, config, splitId);
      const outcome = parts ? await closeOriginal(splitId) : (await load(splitId)).refusal ?? 'ALREADY_CLOSED';
      if (outcome !== 'CLOSED') {
        await withdrawParts(db, config, splitId, outcome);
        return { refused: outcome };
      }
      return { parts: parts!.map((p) => p.reference) };
    },

    async startSplitParts({ splitId }) {
      const split = await load(splitId);
      await Promise.all((await partsOf(split)).map((part) => startPart(split, part)));
      await markSplitDone(db, splitId);
    },

    async prepareSplitEmail({ splitId }) {
      const split = await load(splitId);
      const [first, second] = await partsOf(split);
      const personal = await findPersonal(db, first.id);
      if (!personal?.email) {
        await clearOriginalMessage(db, splitId);
        return null; // no address given (or the part already purged): the citizen follows the parts by their tracking codes
      }
      const [original, agent] = await Promise.all([requestOf(split.original_request_id), findAgentRow(db, Number(split.agent_id))]);
      const part = async (r: RequestRow) => {
        const own = await db('messages').where({ request_id: r.id, author: 'AGENT' }).whereNull('source_reference').orderBy('id').first('body');
        const context = await emailContext(db, r, config.publicUrl, null);
        return { reference: r.reference, formTitle: r.form_type_title, trackingCode: r.tracking_code, trackingUrl: context.trackingUrl, message: own?.body ?? '' };
      };
      const context = {
        ...(await emailContext(db, first, config.publicUrl, null)),
        reference: original.reference,
        requestUrl: `${config.publicUrl}/demandes/${original.reference}`,
        agentName: agent?.name ?? '',
        message: split.original_message ?? '',
        requests: [await part(first), await part(second)],
      };
      const rendered = await renderEmailFor(db, 'SPLIT', context);
      // On the first part: the original's e-mails are purged with it, at once.
      const emailId = await recordEmail(db, { key: `split-${splitId}:SPLIT`, requestId: first.id, kind: 'SPLIT', agentId: null, to: personal.email, ...rendered });
      await clearOriginalMessage(db, splitId);
      return emailId;
    },
  };
}
