// A consultation of an expert group, as the request workflow remembers it: which one the
// request waits for, when its group is to be reminded, and how the finished ones ended
// (so that a late answer is told « déjà répondue » or « retirée »). Pure functions.
import type { Refusal } from './lifecycle';

export interface PendingConsultation {
  id: number;
  /** the agent who asked: the request comes back to them */
  askedBy: number;
  /** the consulted group, whose members are reminded */
  toGroupId: number;
  since: number;
  /** the consulted group's delay before a reminder, and between reminders */
  everyMs: number;
  lastReminderAt: number | null;
}

export type ConsultationEnd = 'ANSWERED' | 'WITHDRAWN';

/** When the consulted group is next reminded; null when nothing is pending (or no delay). */
export function consultationReminderAt(c: PendingConsultation | null | undefined): number | null {
  if (!c || !(c.everyMs > 0)) {
    return null;
  }
  return (c.lastReminderAt ?? c.since) + c.everyMs;
}

/**
 * Why an answer or a withdrawal of consultation `id` is refused: it already ended, or it
 * is not the one the request waits for.
 */
export function consultationRefusal(
  id: number,
  pending: PendingConsultation | null,
  ended: Readonly<Record<number, ConsultationEnd>>,
  state: { assigneeId: number | null },
): Refusal | null {
  if (pending?.id === id) {
    return null;
  }
  const end = ended[id];
  const code = end === 'ANSWERED' ? 'CONSULTATION_ANSWERED' : end === 'WITHDRAWN' ? 'CONSULTATION_WITHDRAWN' : 'CONSULTATION_UNKNOWN';
  return { code, assigneeId: state.assigneeId };
}
