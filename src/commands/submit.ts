import { delaysOf, findFormType, findFormTypeById } from '../db/formTypes';
import { deleteRequest, findRequestById, insertRequest, markWorkflowStarted, unstartedIntakes, type Channel, type Citizen } from '../db/requests';
import { earlierFiling, isUniqueViolation, recordKey, type IdempotencyClaim } from '../db/idempotency';
import { retryingDeadlocks } from '../db/transaction';
import { workflowIdOf, type PriorityRank } from '../../workflows/definitions';
import { requestWorkflow } from '../../workflows/request';
import { storeAttachments, type Upload } from '../attachments/files';
import { attachmentStore } from '../attachments/store';
import { citizenIdByEmail } from '../db/citizens';
import { currentForm } from '../db/formVersions';
import { checkApiAnswers } from '../forms/answers';
import type { FieldDefinition } from '../forms/fields';
import { t } from '../i18n';
import { startOnce, workflowExists } from '../temporal/client';
import { arriveAtOnce } from './arrival';
import type { Ctx } from './context';
import { CommandError } from './errors';

export interface SubmitProps {
  /** slug of the form type */
  formType: string;
  citizen: Citizen;
  /** the form's answers, as the citizen gave them */
  answers: Record<string, unknown>;
  /** how it reached us; web when not said */
  channel?: Channel;
  /** files already checked (checkUploads), moved into the request's folder with its rows */
  uploads?: Upload[];
  /** the citizen's file it belongs to, and the agent who entered it for them */
  citizenId?: number | null;
  filedBy?: number | null;
  /** a retry with the same key (and body) answers with the request filed the first time */
  idempotency?: IdempotencyClaim;
}

export interface Filed {
  reference: string;
  trackingCode: string;
  status: 'NON_TRAITEE';
  /** true when this is the answer of an earlier filing with the same idempotency key */
  replayed?: boolean;
}

/**
 * Files a new request: its rows, then its workflow. If the workflow cannot be started
 * the rows are removed again, so a request either exists whole or not at all.
 */
export async function submit(ctx: Ctx, props: SubmitProps): Promise<Filed> {
  const earlier = props.idempotency && (await replay(ctx, props.idempotency));
  if (earlier) {
    return earlier;
  }
  const formType = await findFormType(ctx.db, props.formType);
  if (!formType) {
    throw CommandError.of(400, 'UNKNOWN_FORM_TYPE', { value: props.formType }, 'formType');
  }
  const form = await currentForm(ctx.db, formType.id);
  refuseBadAnswers(form.fields, props.answers);
  const now = Date.now();
  const citizenId = props.citizenId !== undefined ? props.citizenId : await citizenIdByEmail(ctx.db, props.citizen.email);
  // The intake's rows may lose a deadlock to the reminders' sweep or a change of delays
  // writing deadlines at the same moment: filed again, rather than the citizen refused.
  const filed = await retryingDeadlocks(async () => {
    const written: string[] = [];
    try {
      return await insertRequest(ctx.db, {
        prefix: ctx.config.referencePrefix,
        formTypeId: formType.id,
        serviceId: formType.service_id,
        citizen: props.citizen,
        answers: props.answers,
        channel: props.channel ?? 'web',
        now,
        formVersionId: form.id,
        // Filed without saying: the file with the same e-mail address, when there is one.
        citizenId,
        filedBy: props.filedBy ?? null,
        priority: Number(formType.default_priority),
        alsoWrite: async (trx, requestId) => {
          written.push(...(await storeAttachments(trx, ctx.config, requestId, props.uploads ?? [], { now })));
          if (props.idempotency) {
            await recordKey(trx, props.idempotency, requestId, now);
          }
        },
      });
    } catch (err) {
      // Rolled back: the files it had copied go too.
      await attachmentStore(ctx.config).discard(written);
      throw err;
    }
  }).catch(async (err): Promise<Filed> => {
    // Another attempt with the same key filed first (the unique index decided): its answer.
    const raced = props.idempotency && isUniqueViolation(err) ? await replay(ctx, props.idempotency) : undefined;
    if (raced) {
      return raced;
    }
    throw err;
  });
  if (!('id' in filed)) {
    return filed;
  }
  const { id, reference, trackingCode, groupId } = filed;
  try {
    await startWorkflow(ctx, { id, reference, createdAt: now, delays: delaysOf(formType), priority: Number(formType.default_priority), groupId });
  } catch (err) {
    if (await workflowExists(ctx.client, workflowIdOf(reference))) {
      // The start was carried out and only its answer was lost: the request is filed.
      await markWorkflowStarted(ctx.db, id);
      return { reference, trackingCode, status: 'NON_TRAITEE' };
    }
    // Not started, or Temporal cannot say: undone. Should the start still land, the
    // workflow finds no rows at its first step and ends (announceSubmission).
    const store = attachmentStore(ctx.config);
    await deleteRequest(ctx.db, store, id);
    await store.removeFiles({ requestIds: [id] });
    throw new CommandError(503, 'UNAVAILABLE', `${CommandError.of(503, 'UNAVAILABLE').message} (${(err as Error).message})`);
  }
  // Not waited for: the citizen's answer does not wait for SMTP (src/commands/arrival.ts).
  void arriveAtOnce(ctx, id);
  return { reference, trackingCode, status: 'NON_TRAITEE' };
}

/**
 * The answer of the request filed earlier with this key: the same reference, tracking
 * code and status. Its workflow is started if the first attempt died before (the sweep
 * would, later). The same key with another body is refused: it is a mistake.
 */
async function replay(ctx: Ctx, claim: IdempotencyClaim): Promise<Filed | undefined> {
  const earlier = await earlierFiling(ctx.db, claim.owner, claim.key);
  if (!earlier) {
    return undefined;
  }
  if (earlier.bodyHash !== claim.hash) {
    throw CommandError.of(422, 'IDEMPOTENCY_KEY_REUSED', { reference: earlier.reference }, 'Idempotency-Key');
  }
  if (!earlier.workflowStarted) {
    await startFiledWorkflow(ctx, (await findRequestById(ctx.db, earlier.requestId))!)
      .catch((err: Error) => {
        // Filed all the same: the sweep starts its workflow when Temporal is back.
        throw new CommandError(503, 'UNAVAILABLE', `${CommandError.of(503, 'UNAVAILABLE').message} (${err.message})`);
      });
  }
  return { reference: earlier.reference, trackingCode: earlier.trackingCode, status: 'NON_TRAITEE', replayed: true };
}

/** Answers must fit the form's fields when it has some (a form never edited takes any). */
function refuseBadAnswers(fields: FieldDefinition[], answers: Record<string, unknown>): void {
  if (fields.length === 0) {
    return;
  }
  const known = new Set(fields.map((f) => f.key));
  const unknown = Object.keys(answers).find((k) => !known.has(k));
  if (unknown) {
    throw new CommandError(400, 'INVALID_INPUT', `answers.${unknown} : ${t('errors.UNKNOWN_FIELD')}`, `answers.${unknown}`);
  }
  const [key, message] = Object.entries(checkApiAnswers(fields, answers))[0] ?? [];
  if (key) {
    throw new CommandError(400, 'INVALID_INPUT', `answers.${key} : ${message}`, `answers.${key}`);
  }
}

async function startWorkflow(
  ctx: Ctx,
  r: { id: number; reference: string; createdAt: number; delays: ReturnType<typeof delaysOf>; priority: number; groupId: number | null },
): Promise<void> {
  await startOnce(ctx.client, requestWorkflow, {
    workflowId: workflowIdOf(r.reference),
    taskQueue: ctx.config.taskQueue,
    args: [{ requestId: r.id, reference: r.reference, submittedAt: r.createdAt, delays: r.delays, priority: r.priority as PriorityRank, groupId: r.groupId }],
  });
  await markWorkflowStarted(ctx.db, r.id);
}

/** Starts the workflow of a request filed earlier (a replayed filing, the sweep), with its form type's delays. */
async function startFiledWorkflow(
  ctx: Ctx,
  r: { id: number; reference: string; created_at: number; form_type_id: number; priority: number; group_id: number | null },
): Promise<void> {
  const formType = (await findFormTypeById(ctx.db, r.form_type_id))!;
  const groupId = r.group_id === null ? null : Number(r.group_id);
  await startWorkflow(ctx, { id: r.id, reference: r.reference, createdAt: Number(r.created_at), delays: delaysOf(formType), priority: Number(r.priority), groupId });
}

/**
 * Starts the workflows of requests whose filing process died between writing them and
 * starting their workflow (older than `graceMs`, so that intakes in progress are left alone).
 */
export async function startPendingWorkflows(ctx: Ctx, graceMs = 60_000): Promise<number> {
  const pending = await unstartedIntakes(ctx.db, Date.now() - graceMs);
  for (const r of pending) {
    await startFiledWorkflow(ctx, r);
  }
  return pending.length;
}

