// Consulting an expert group: an agent of the request's group asks another group's opinion
// (the request waits, EN_ATTENTE, « avis demandé à … »); a member of that group answers
// (an internal note, and the request resumes for the agent who asked), or the question is
// withdrawn (the request resumes). The workflow is the judge; the texts stay in the database.
import type { Agent } from '../db/agents';
import { deleteConsultation, findConsultation, insertConsultation, type ConsultationRow } from '../db/consultations';
import { findGroup } from '../db/groups';
import { deleteComment, findRequest, insertComment } from '../db/requests';
import { t } from '../i18n';
import { authorize } from '../policies';
import { answerConsultationUpdate, consultUpdate, withdrawConsultationUpdate } from '../../workflows/definitions';
import { loadForAgent, refuseByStatus, runUpdate, type Ctx, type UpdateOutcome } from './context';
import { CommandError } from './errors';
import type { AnswerConsultationProps, ConsultProps } from './schemas';

/** « Demander l'avis d'un expert »: the request waits for the chosen group's answer. */
export async function consult(ctx: Ctx, agent: Agent, reference: string, props: ConsultProps): Promise<UpdateOutcome & { consultationId: number }> {
  const request = await loadForAgent(ctx, agent, reference, 'consult');
  const group = await findGroup(ctx.db, props.group);
  if (!group) {
    throw CommandError.of(400, 'UNKNOWN_CONSULTED_GROUP', {}, 'group');
  }
  if (Number(group.id) === Number(request.group_id)) {
    throw CommandError.of(400, 'CONSULT_OWN_GROUP', {}, 'group');
  }
  await refuseByStatus(ctx, request, 'consult');
  const questionId = await insertComment(ctx.db, request.id, props.question);
  const reasonId = await insertComment(ctx.db, request.id, t('ui.consultations.holdReason', { group: group.name }));
  const consultationId = await insertConsultation(ctx.db, {
    requestId: request.id, fromGroupId: request.group_id === null ? null : Number(request.group_id), toGroupId: Number(group.id),
    askedBy: agent.id, questionCommentId: questionId, at: Date.now(),
  });
  const args = { agentId: agent.id, consultationId, toGroupId: Number(group.id), commentId: reasonId, reminderMs: Number(group.consultation_reminder_ms) };
  // What was written is removed only if the workflow certainly refused it (see runUpdate).
  const outcome = await runUpdate(ctx, request, consultUpdate, args, async () => {
    await deleteConsultation(ctx.db, consultationId);
    await deleteComment(ctx.db, questionId);
    await deleteComment(ctx.db, reasonId);
  });
  return { ...outcome, consultationId };
}

/** The consultation, if the agent may `verb` it and it still waits for its answer. */
async function loadPending(ctx: Ctx, agent: Agent, id: number, verb: 'answerConsultation' | 'withdrawConsultation'): Promise<ConsultationRow> {
  const consultation = Number.isSafeInteger(id) && id > 0 ? await findConsultation(ctx.db, id) : undefined;
  if (!consultation) {
    throw CommandError.of(404, 'CONSULTATION_NOT_FOUND');
  }
  authorize(agent, verb, consultation);
  if (consultation.status === 'ANSWERED') {
    throw CommandError.of(409, 'CONSULTATION_ANSWERED');
  }
  if (consultation.status === 'WITHDRAWN') {
    throw CommandError.of(409, 'CONSULTATION_WITHDRAWN');
  }
  return consultation;
}

async function requestOf(ctx: Ctx, consultation: ConsultationRow) {
  const request = await findRequest(ctx.db, consultation.reference);
  if (!request) {
    throw CommandError.of(404, 'CONSULTATION_NOT_FOUND');
  }
  return request;
}

/** « Répondre »: the answer becomes an internal note and the request resumes for the agent who asked. */
export async function answerConsultation(ctx: Ctx, agent: Agent, id: number, props: AnswerConsultationProps): Promise<ConsultationRow> {
  const consultation = await loadPending(ctx, agent, id, 'answerConsultation');
  const request = await requestOf(ctx, consultation);
  const commentId = await insertComment(ctx.db, request.id, props.answer);
  await runUpdate(ctx, request, answerConsultationUpdate, { agentId: agent.id, consultationId: consultation.id, commentId }, () => deleteComment(ctx.db, commentId));
  return (await findConsultation(ctx.db, consultation.id))!;
}

/** « Retirer la demande d'avis »: the request resumes without the experts' answer. */
export async function withdrawConsultation(ctx: Ctx, agent: Agent, id: number): Promise<ConsultationRow> {
  const consultation = await loadPending(ctx, agent, id, 'withdrawConsultation');
  const request = await requestOf(ctx, consultation);
  await runUpdate(ctx, request, withdrawConsultationUpdate, { agentId: agent.id, consultationId: consultation.id });
  return (await findConsultation(ctx.db, consultation.id))!;
}
