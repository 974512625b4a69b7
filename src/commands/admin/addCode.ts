import type { Db } from '../../db/connection';
import type { CodeList } from './codeLists';
import { CODE, invalid, requireText } from './invalid';

// The lifecycle's own event types are written by the workflow: a municipality's code may not take their name.
const RESERVED = ['SUBMITTED', 'TAKEN', 'HELD', 'RESUMED', 'HOLD_ENDED', 'REASSIGNED', 'CLOSED', 'EXPIRED'];

export async function addCode(db: Db, list: CodeList, props: { code: string; label: string }): Promise<void> {
  const code = props.code.trim().toUpperCase();
  if (!CODE.test(code)) {
    throw invalid('code', 'code');
  }
  const label = requireText(props.label, 'label');
  if (RESERVED.includes(code) || (await db(list).where({ code }).first('code'))) {
    throw invalid('codeTaken', 'code', { value: code });
  }
  await db(list).insert(list === 'closing_codes' ? { code, label, system: false } : { code, label });
}
