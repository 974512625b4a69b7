import { codeExists, deleteCode, isSystemCode, usesOf, type CodeList } from '../../db/codes';
import type { Db } from '../../db/connection';
import { authorize, type Actor } from '../../policies';
import { invalid } from './invalid';

/** Removes a code nobody used yet; a used one stays, so that the history keeps its label. */
export async function removeCode(db: Db, actor: Actor, list: CodeList, code: string): Promise<void> {
  authorize(actor, 'administer');
  if (!(await codeExists(db, list, code))) {
    throw invalid('unknownCode', 'code');
  }
  if (await isSystemCode(db, list, code)) {
    throw invalid('systemCode', 'code');
  }
  const uses = await usesOf(db, list, code);
  if (uses > 0) {
    throw invalid('codeInUse', 'code', { count: uses });
  }
  await deleteCode(db, list, code);
}
