import { codeExists, insertCode, type CodeList } from '../../db/codes';
import type { Db } from '../../db/connection';
import { authorize, type Actor } from '../../policies';
import { CODE, invalid, requireText } from './invalid';

// The lifecycle's own event types are written by the workflow: a municipality's code may not take their name.
const RESERVED = ['SUBMITTED', 'TAKEN', 'HELD', 'RESUMED', 'HOLD_ENDED', 'REASSIGNED', 'CLOSED', 'EXPIRED'];

export async function addCode(db: Db, actor: Actor, list: CodeList, props: { code: string; label: string }): Promise<void> {
  authorize(actor, 'administer');
  const code = props.code.trim().toUpperCase();
  if (!CODE.test(code)) {
    throw invalid('code', 'code');
  }
  const label = requireText(props.label, 'label');
  if (RESERVED.includes(code) || (await codeExists(db, list, code))) {
    throw invalid('codeTaken', 'code', { value: code });
  }
  await insertCode(db, list, { code, label });
}
