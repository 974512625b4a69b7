import type { Db } from '../../db/connection';
import { isSystemCode, usesOf, type CodeList } from './codeLists';
import { invalid } from './invalid';

/** Removes a code nobody used yet; a used one stays, so that the history keeps its label. */
export async function removeCode(db: Db, list: CodeList, code: string): Promise<void> {
  if (!(await db(list).where({ code }).first('code'))) {
    throw invalid('unknownCode', 'code');
  }
  if (await isSystemCode(db, list, code)) {
    throw invalid('systemCode', 'code');
  }
  const uses = await usesOf(db, list, code);
  if (uses > 0) {
    throw invalid('codeInUse', 'code', { count: uses });
  }
  await db(list).where({ code }).delete();
}
