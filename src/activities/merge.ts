// The activities of a merge (workflows/merge.ts). Each is idempotent: the Updates carry an
// id of their own (Temporal answers a repeated one with its first outcome), the start finds
// its workflow, the new request and the e-mail are found again by the merge's id.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { delaysOf, findFormTypeById } from '../db/formTypes';
import { recordEmail } from '../db/emails';
import { discardMergedRequest, findMerge, mergeSources, ownMessageCount, prepareMergedRequest, setMergeStatus } from '../db/merges';
import { findPersonal, findRequestById, insertComment } from '../db/requests';
import { t } from '../i18n';
import { emailContext } from '../mail/context';
import { renderEmailFor } from '../mail/templates';
import { startOnce } from '../temporal/client';
import { workflowIdOf, type PriorityRank, type RequestState } from '../../workflows/definitions';
import { mergeCloseUpdate, mergeWorkflowIdOf, unmergeUpdate, withdrawMergedUpdate } from '../../workflows/mergeDefinitions';
import { requestWorkflow } from '../../workflows/request';
import type { ActivityDeps } from './deps';
import type { MergeActivities } from './types';

/** Test hooks: a worker that kills itself at a chosen step (tests/merge.test.ts). */
export interface MergeHooks {
  afterSourceClosed?: (requestId: number) => void | Promise<void>;
}

/** Runs an Update with its own id; false when the workflow refused it (or is gone). */
async function updateOnce<A>(client: Client, reference: string, update: UpdateDefinition<RequestState, [A], string>, arg: A, id: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowIdOf(reference)).executeUpdate(update, { args: [arg], updateId: id });
    return true;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
      return false;
    }
    throw err;
  }
}

export function mergeActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>, hooks: MergeHooks = {}): MergeActivities {
  const client = () => Context.current().client;
  const newRequestOf = async (mergeId: number) => {
    const merge = (await findMerge(db, mergeId))!;
    return { merge, request: merge.new_request_id === null ? undefined : await findRequestById(db, Number(merge.new_request_id)) };
  };
  return {
    async prepareMerge({ mergeId }) {
      const sources = await mergeSources(db, mergeId);
      return { sources, ...(await prepareMergedRequest(db, config, mergeId, Date.now())) };
    },

    async closeMergeSource({ mergeId, requestId, agentId }) {
      const [{ request }, source] = await Promise.all([newRequestOf(mergeId), findRequestById(db, requestId)]);
      const commentId = await insertComment(db, requestId, t('merge.event', { reference: request!.reference }));
      const closed = await updateOnce(client(), source!.reference, mergeCloseUpdate, { agentId, mergeId, commentId }, `merge-${mergeId}-close`);
      if (!closed) {
        await db('comments').where({ id: commentId }).delete();
        return 'refused';
      }
      await hooks.afterSourceClosed?.(requestId);
      return 'closed';
    },

    async reopenMergeSource({ mergeId, requestId, agentId }) {
      const source = (await findRequestById(db, requestId))!;
      if (await updateOnce(client(), source.reference, unmergeUpdate, { agentId, mergeId }, `merge-${mergeId}-reopen`)) {
        await db('requests').where({ id: requestId }).whereNot('status', 'CLOTUREE').update({ closed_at: null });
      }
    },

    discardMerge: ({ mergeId }) => discardMergedRequest(db, config, mergeId),

    async startMergedRequest({ mergeId }) {
      const { merge, request } = await newRequestOf(mergeId);
      const formType = (await findFormTypeById(db, request!.form_type_id))!;
      await startOnce(client(), requestWorkflow, {
        workflowId: workflowIdOf(request!.reference),
        taskQueue: config.taskQueue,
        args: [{
          requestId: request!.id, reference: request!.reference, submittedAt: Number(request!.created_at), delays: delaysOf(formType),
          priority: Number(request!.priority) as PriorityRank, groupId: request!.group_id === null ? null : Number(request!.group_id),
          merge: { mergeId, agentId: Number(merge.agent_id), workflowId: mergeWorkflowIdOf(config.referencePrefix, mergeId) },
        }],
      });
    },

    async prepareMergeEmail({ mergeId }) {
      const { request } = await newRequestOf(mergeId);
      const personal = await findPersonal(db, request!.id);
      if (!personal?.email) {
        return null;
      }
      const sources = await Promise.all((await mergeSources(db, mergeId)).map((s) => findRequestById(db, s.requestId)));
      const context = {
        ...(await emailContext(db, request!, config.publicUrl, null)),
        requests: sources.map((s) => ({ reference: s!.reference, formTitle: s!.form_type_title })),
      };
      const rendered = await renderEmailFor(db, 'MERGED', context);
      return recordEmail(db, { key: `MERGED:${mergeId}`, requestId: request!.id, kind: 'MERGED', agentId: null, to: personal.email, ...rendered });
    },

    async finishMerge({ mergeId, status, refusal }) {
      const at = Date.now();
      await setMergeStatus(db, mergeId, status, status === 'DONE' ? { done_at: at } : status === 'UNDONE' ? { undone_at: at } : { refusal: refusal ?? null });
    },

    async withdrawMergedRequest({ mergeId, agentId }) {
      const { request } = await newRequestOf(mergeId);
      if ((await ownMessageCount(db, request!.id)) > 0) {
        return 'touched';
      }
      return (await updateOnce(client(), request!.reference, withdrawMergedUpdate, { agentId }, `merge-${mergeId}-withdraw`)) ? 'withdrawn' : 'touched';
    },
  };
}
