/**
 * Reads that many e-mails of one batch share (a template, a form type, a group's agents),
 * done once for the batch: the reminders' sweep renders hundreds at a time.
 */
export type Memo = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/** No sharing: each read done when asked (one e-mail at a time). */
export const unshared: Memo = (_key, read) => read();

export function batchMemo(): Memo {
  const reads = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>) => {
    if (!reads.has(key)) {
      reads.set(key, read());
    }
    return reads.get(key) as Promise<T>;
  };
}
